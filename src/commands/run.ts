import { UsageError } from '../errors.js';
import type { RunMode } from '../predict/schema.js';
import { list, seconds, switchFlag, text } from '../settings/values.js';
import { settingKinds } from '../settings/variables.js';
import { defineCommand, type CommandContext } from './define.js';
import { option, type ParsedOptions } from './options.js';
import { baseImageFlags, baseImageOptions, configFileOption, containerEnvOption, gpusOption, progressOption } from './shared-options.js';

/** COG_OPENAPI_SCHEMA: the schema to check inputs against and serve, instead of the predictor's. */
const schemaFileSetting = option({ kind: settingKinds.schemaFile, env: 'COG_OPENAPI_SCHEMA' });

const inputOption = option({
  flags: '-i, --input <name=value>',
  description: 'an input; name=@path sends a file; a repeated name makes a list (repeatable)',
  kind: list(),
  repeatable: true,
});

/** The options of `cog run` and its deprecated alias `cog predict`: upstream's, one for one. */
export const runOptions = {
  input: inputOption,
  json: option({ flags: '--json <json>', description: 'all inputs as one JSON object: inline, @file.json, or - (stdin); prints the whole response as JSON', kind: text() }),
  output: option({ flags: '-o, --output <path>', description: 'write the output here (default: stdout; files as output.<ext>)', kind: text() }),
  env: containerEnvOption,
  useReplicateToken: option({ flags: '--use-replicate-token', description: 'pass $REPLICATE_API_TOKEN to the model in the request context', kind: switchFlag() }),
  // Upstream's flag is a uint32 of seconds.
  setupTimeout: option({
    flags: '--setup-timeout <seconds>',
    description: 'how long setup() may take before giving up',
    kind: seconds({ min: 0, max: 2 ** 32 - 1, whole: true }),
    defaultValue: '300',
  }),
  gpus: gpusOption,
  file: configFileOption,
  progress: progressOption(),
  ...baseImageOptions,
  openapiSchema: schemaFileSetting,
};

/** The options of the deprecated `cog train` (no --json, no --setup-timeout; -o defaults to `weights`). */
export const trainOptions = {
  input: inputOption,
  output: option({ flags: '-o, --output <path>', description: 'write the output here', kind: text(), defaultValue: 'weights' }),
  env: containerEnvOption,
  gpus: gpusOption,
  file: configFileOption,
  progress: progressOption(),
  ...baseImageOptions,
  openapiSchema: schemaFileSetting,
};

/** What run, predict and train share: train's options are run's, with some left out. */
type RunCommandOptions = Partial<ParsedOptions<typeof runOptions>> & Pick<ParsedOptions<typeof runOptions>, 'useCudaBaseImage'>;

/** The handler shared by run, predict and train: argv → `runModel`. */
export function runHandler(mode: RunMode, commandName: string) {
  return async (args: string[], options: RunCommandOptions, context: CommandContext): Promise<void> => {
    if (args.length > 1) throw new UsageError(`cog ${commandName} takes at most one image, got ${args.length}`);
    const { runModel } = await import('../workflows/run.js');
    await runModel({
      cwd: context.cwd,
      image: args[0],
      configFile: options.file,
      inputs: options.input ?? [],
      json: options.json,
      output: options.output,
      env: options.env ?? [],
      gpus: options.gpus,
      setupTimeoutSeconds: options.setupTimeout,
      useReplicateToken: Boolean(options.useReplicateToken),
      mode,
      commandName,
      progress: options.progress,
      openapiSchemaFile: options.openapiSchema,
      debug: context.logger.debugEnabled,
      hostEnv: context.env,
      readStdin,
      print: context.print,
      write: (text) => void process.stdout.write(text),
      ...baseImageFlags(options),
      logger: context.logger,
      signal: context.signal,
    });
  };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

export const runCommand = defineCommand({
  name: 'run',
  arguments: '[image]',
  description: 'Run a prediction: on the project in this directory (built, then mounted), or on a built image',
  options: runOptions,
  handler: runHandler('predict', 'run'),
});
