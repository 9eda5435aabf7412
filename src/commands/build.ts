import { UsageError } from '../errors.js';
import { text } from '../settings/values.js';
import { settingKinds } from '../settings/variables.js';
import { formatBytes } from '../ui/format.js';
import type { BuildModelResult } from '../workflows/build.js';
import { defineCommand } from './define.js';
import { option } from './options.js';
import {
  baseImageFlags,
  baseImageOptions,
  configFileOption,
  jsonResultOption,
  noCacheOption,
  progressOption,
  remoteBuilderFlags,
  remoteBuilderOptions,
  secretOption,
  separateWeightsOption,
} from './shared-options.js';

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

export const buildCommand = defineCommand({
  name: 'build',
  description: 'Build an image from cog.yaml',
  options: {
    tag: option({ flags: '-t, --tag <name>', description: 'a name for the built image (default: cog.yaml image, else cog-<dirname>)', kind: text() }),
    file: configFileOption,
    cache: noCacheOption,
    secret: secretOption,
    progress: progressOption(
      'build output: auto (a spinner on a terminal), plain, tty, quiet, or json (one event per line) (default: $BUILDKIT_PROGRESS, else auto)',
    ),
    builder: option({ flags: '--builder <name>', description: 'a named buildx builder (remote drivers included)', kind: text() }),
    ...remoteBuilderOptions,
    json: jsonResultOption,
    dockerfile: option({ flags: '--dockerfile <path>', description: 'build this Dockerfile as it is instead of generating one (labels are still added)', kind: text() }),
    openapiSchema: option({
      flags: '--openapi-schema <file>',
      description: 'use this OpenAPI schema instead of reading it from the predictor',
      kind: settingKinds.schemaFile,
      env: 'COG_OPENAPI_SCHEMA',
    }),
    separateWeights: separateWeightsOption,
    weightsThreshold: option({
      flags: '--weights-threshold <size>',
      description: 'files at least this big get layers of their own (default: 10MiB, or $COG_WEIGHTS_THRESHOLD)',
      kind: settingKinds.weightsThreshold,
      env: 'COG_WEIGHTS_THRESHOLD',
    }),
    ...baseImageOptions,
  },
  handler: async (_args, options, context) => {
    const baseFlags = baseImageFlags(options);
    if (options.dockerfile && (baseFlags.useCogBaseImage !== undefined || baseFlags.useCudaBaseImage !== undefined)) {
      throw new UsageError('--dockerfile cannot be combined with --use-cog-base-image or --use-cuda-base-image');
    }
    // Loaded on use: `cog --help` and other commands stay fast.
    const { buildModel } = await import('../workflows/build.js');
    const result = await buildModel({
      cwd: context.cwd,
      configFile: options.file,
      tag: options.tag,
      noCache: options.cache === false,
      progress: options.progress,
      secrets: options.secret,
      builder: options.builder,
      ...remoteBuilderFlags(options),
      dockerfile: options.dockerfile,
      openapiSchemaFile: options.openapiSchema,
      weightsThresholdBytes: options.weightsThreshold,
      ...baseFlags,
      env: context.env,
      logger: context.logger,
      signal: context.signal,
    });
    // Stdout holds results only (--json); the closing line is for the user, on stderr as upstream's.
    if (options.json) context.print(JSON.stringify(toBuildJson(result), null, 2));
    else if (result.location === 'builder') context.logger.say(`Image built as ${result.image} in the BuildKit daemon's cache`);
    else context.logger.say(`Image built as ${result.image} (${formatBytes(result.size)})`);
  },
});
