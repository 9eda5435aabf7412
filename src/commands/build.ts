import type { ProgressMode } from '../engine/argv.js';
import { UserError } from '../errors.js';
import { formatBytes } from '../ui/format.js';
import { parseSize } from '../ui/size.js';
import { baseImageOptions, readBaseImageFlags } from './base-image-flags.js';
import type { CommandDefinition } from './define.js';
import { configFileOption, jsonResultOption, noCacheOption, readRemoteBuilderFlags, remoteBuilderOptions, secretOption, separateWeightsOption } from './shared-options.js';
import type { BuildModelResult } from '../workflows/build.js';

/** The stable `cog build --json` document (docs/cli-json.md, docs/schemas/build.schema.json). */
export function toBuildJson(result: BuildModelResult) {
  return {
    image: result.image,
    imageId: result.imageId,
    size: result.size,
    location: result.location ?? 'engine',
    baseImage: result.baseImage,
    warnings: result.warnings,
    timings: result.timings,
  };
}

export const buildCommand: CommandDefinition = {
  name: 'build',
  description: 'Build an image from cog.yaml',
  options: [
    { flags: '-t, --tag <name>', description: 'a name for the built image (default: cog.yaml image, else cog-<dirname>)' },
    configFileOption,
    noCacheOption,
    secretOption,
    {
      flags: '--progress <mode>',
      description: 'build output: auto (a spinner on a terminal), plain, tty, quiet, or json (one event per line) (default: $BUILDKIT_PROGRESS, else auto)',
      choices: ['auto', 'plain', 'tty', 'quiet', 'json'],
    },
    { flags: '--builder <name>', description: 'a named buildx builder (remote drivers included)' },
    ...remoteBuilderOptions,
    jsonResultOption,
    { flags: '--dockerfile <path>', description: 'build this Dockerfile as it is instead of generating one (labels are still added)' },
    { flags: '--openapi-schema <file>', description: 'use this OpenAPI schema instead of reading it from the predictor' },
    separateWeightsOption,
    { flags: '--weights-threshold <size>', description: 'files at least this big get layers of their own (default: 10MiB, or $COG_WEIGHTS_THRESHOLD)' },
    ...baseImageOptions,
  ],
  handler: async (_args, options, context) => {
    const baseFlags = readBaseImageFlags(options);
    if (options.dockerfile && (baseFlags.useCogBaseImage !== undefined || baseFlags.useCudaBaseImage !== undefined)) {
      throw new UserError('--dockerfile cannot be combined with --use-cog-base-image or --use-cuda-base-image', { exitCode: 2 });
    }
    const threshold = (options.weightsThreshold as string | undefined) ?? process.env.COG_WEIGHTS_THRESHOLD;
    // Loaded on use: `cog --help` and other commands stay fast.
    const { buildModel } = await import('../workflows/build.js');
    const result = await buildModel({
      cwd: context.cwd,
      configFile: options.file as string,
      tag: options.tag as string | undefined,
      noCache: options.cache === false,
      progress: (options.progress as ProgressMode | undefined) ?? (process.env.BUILDKIT_PROGRESS as ProgressMode | undefined),
      secrets: options.secret as string[] | undefined,
      builder: options.builder as string | undefined,
      ...readRemoteBuilderFlags(options),
      dockerfile: options.dockerfile as string | undefined,
      openapiSchemaFile: options.openapiSchema as string | undefined,
      weightsThresholdBytes: threshold ? parseSize(threshold) : undefined,
      ...baseFlags,
      logger: context.logger,
      signal: context.signal,
    });
    // Stdout holds results only (--json); the closing line is for the user, on stderr as upstream's.
    if (options.json) context.print(JSON.stringify(toBuildJson(result), null, 2));
    else if (result.location === 'builder') context.logger.say(`Image built as ${result.image} in the BuildKit daemon's cache`);
    else context.logger.say(`Image built as ${result.image} (${formatBytes(result.size)})`);
  },
};
