import type { ProgressMode } from '../engine/argv.js';
import { UserError } from '../errors.js';
import type { RunMode } from '../predict/schema.js';
import { baseImageOptions, readBaseImageFlags } from './base-image-flags.js';
import type { CommandContext, CommandDefinition, OptionSpec } from './define.js';
import { configFileOption, gpusOption, progressOption } from './shared-options.js';

const inputOption: OptionSpec = {
  flags: '-i, --input <name=value>',
  description: 'an input; name=@path sends a file; a repeated name makes a list (repeatable)',
  repeatable: true,
};
const envOption: OptionSpec = { flags: '-e, --env <name=value>', description: 'an environment variable for the container (repeatable)', repeatable: true };

/** The options of `cog run` and its deprecated alias `cog predict`: upstream's, one for one. */
const runOptions: OptionSpec[] = [
  inputOption,
  { flags: '--json <json>', description: 'all inputs as one JSON object: inline, @file.json, or - (stdin); prints the whole response as JSON' },
  { flags: '-o, --output <path>', description: 'write the output here (default: stdout; files as output.<ext>)' },
  envOption,
  { flags: '--use-replicate-token', description: 'pass $REPLICATE_API_TOKEN to the model in the request context' },
  { flags: '--setup-timeout <seconds>', description: 'how long setup() may take before giving up', defaultValue: '300' },
  gpusOption,
  configFileOption,
  progressOption,
  ...baseImageOptions,
];

/** The options of the deprecated `cog train` (no --json, no --setup-timeout; -o defaults to `weights`). */
export const trainOptions: OptionSpec[] = [
  inputOption,
  { flags: '-o, --output <path>', description: 'write the output here', defaultValue: 'weights' },
  envOption,
  gpusOption,
  configFileOption,
  progressOption,
  ...baseImageOptions,
];

/** The handler shared by run, predict and train: argv → `runModel`. */
export function runHandler(mode: RunMode, commandName: string) {
  return async (args: string[], options: Record<string, unknown>, context: CommandContext): Promise<void> => {
    if (args.length > 1) throw new UserError(`cog ${commandName} takes at most one image, got ${args.length}`, { exitCode: 2 });
    const { runModel } = await import('../workflows/run.js');
    await runModel({
      cwd: context.cwd,
      image: args[0],
      configFile: options.file as string | undefined,
      inputs: (options.input as string[] | undefined) ?? [],
      json: options.json as string | undefined,
      output: options.output as string | undefined,
      env: (options.env as string[] | undefined) ?? [],
      gpus: options.gpus as string | undefined,
      setupTimeoutSeconds: parseSeconds(options.setupTimeout as string | undefined),
      useReplicateToken: Boolean(options.useReplicateToken),
      mode,
      commandName,
      progress: (options.progress as ProgressMode | undefined) ?? (process.env.BUILDKIT_PROGRESS as ProgressMode | undefined),
      debug: context.logger.debugEnabled,
      readStdin,
      print: context.print,
      write: (text) => void process.stdout.write(text),
      ...readBaseImageFlags(options),
      logger: context.logger,
      signal: context.signal,
    });
  };
}

function parseSeconds(value: string | undefined): number {
  if (value === undefined) return 300;
  if (!/^\d+$/.test(value) || Number(value) > 2 ** 32 - 1) {
    throw new UserError(`--setup-timeout takes a whole number of seconds, not "${value}"`, { exitCode: 2 });
  }
  return Number(value);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export const runCommand: CommandDefinition = {
  name: 'run',
  arguments: '[image]',
  description: 'Run a prediction: on the project in this directory (built, then mounted), or on a built image',
  options: runOptions,
  handler: runHandler('predict', 'run'),
};
