import { buildCommand } from './build.js';
import { debugCommand } from './debug.js';
import { doctorCommand } from './doctor.js';
import { execCommand } from './exec.js';
import { initCommand } from './init.js';
import { loginCommand } from './login.js';
import { pushCommand } from './push.js';
import type { CommandDefinition } from './define.js';
import { predictCommand } from './predict.js';
import { runCommand } from './run.js';
import { serveCommand } from './serve.js';
import { trainCommand } from './train.js';

/** Every command of `cog`, in the order --help lists them. */
export const commands: CommandDefinition[] = [
  buildCommand,
  runCommand,
  predictCommand,
  serveCommand,
  execCommand,
  trainCommand,
  pushCommand,
  loginCommand,
  initCommand,
  doctorCommand,
  debugCommand,
];
