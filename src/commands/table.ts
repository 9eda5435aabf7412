import { buildCommand } from './build.js';
import { debugCommand } from './debug.js';
import { doctorCommand } from './doctor.js';
import { initCommand } from './init.js';
import type { CommandDefinition } from './define.js';
import { pendingCommand } from './pending.js';

/** Every command of `cog`, in the order --help lists them. */
export const commands: CommandDefinition[] = [
  buildCommand,
  pendingCommand('run', 'Run a prediction', 5, '[image]'),
  pendingCommand('predict', 'Run a prediction (deprecated: use `cog run`)', 5, '[image]'),
  pendingCommand('serve', 'Run the HTTP prediction server locally', 5),
  pendingCommand('exec', 'Run a command inside the model\'s environment', 5, '[command...]'),
  pendingCommand('train', 'Run a training (deprecated)', 5, '[image]'),
  pendingCommand('push', 'Build and push an image to a registry', 6, '[image]'),
  pendingCommand('login', 'Log in to a registry', 6, '[registry]'),
  initCommand,
  doctorCommand,
  debugCommand,
];
