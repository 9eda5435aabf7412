import { choice, count, switchFlag } from '../settings/values.js';
import { settingKinds } from '../settings/variables.js';
import { formatBytes } from '../ui/format.js';
import type { PushModelResult } from '../workflows/push.js';
import { defineCommand } from './define.js';
import { option } from './options.js';
import {
  baseImageFlags,
  baseImageOptions,
  configFileOption,
  jsonResultOption,
  noCacheOption,
  pushProgressOption,
  remoteBuilderFlags,
  remoteBuilderOptions,
  secretOption,
  separateWeightsOption,
} from './shared-options.js';

/** The stable `cog push --json` document (docs/cli-json.md, docs/schemas/push.schema.json). */
export function toPushJson(result: PushModelResult) {
  const count = (outcome: string) => result.layers.filter((l) => l.outcome === outcome).length;
  return {
    image: result.image,
    digest: result.digest,
    layers: result.layers,
    pushed: count('pushed'),
    skipped: count('exists') + count('mounted'),
    bytesSent: result.bytesSent,
    layerSource: result.layerSource,
    timings: { ...result.timings, total: result.timings.build + result.timings.push },
  };
}

export const pushCommand = defineCommand({
  name: 'push',
  arguments: '[image]',
  description: 'Build and push an image to a registry (in chunks, resumable, skipping what is there)',
  options: {
    file: configFileOption,
    build: option({ flags: '--no-build', description: 'push the local image as it is, without building it first', kind: switchFlag() }),
    json: jsonResultOption,
    chunkSize: option({
      flags: '--chunk-size <size>',
      description: 'upload chunk size (default: $COG_PUSH_DEFAULT_CHUNK_SIZE, else 96MiB, lowered when the registry asks)',
      kind: settingKinds.chunkSize,
      env: 'COG_PUSH_DEFAULT_CHUNK_SIZE',
    }),
    concurrency: option({
      flags: '--concurrency <n>',
      description: 'layers uploaded at once (default: $COG_PUSH_CONCURRENCY, else 3)',
      kind: settingKinds.concurrency,
      env: 'COG_PUSH_CONCURRENCY',
    }),
    compressionLevel: option({ flags: '--compression-level <n>', description: 'gzip level for layers worth compressing, 1-9 (default: 1)', kind: count({ min: 1, max: 9 }) }),
    requestTimeout: option({
      flags: '--request-timeout <seconds>',
      description: 'give up on a registry request after this long, then retry (default: 60, or $COG_REQUEST_TIMEOUT)',
      kind: settingKinds.requestTimeout,
      env: 'COG_REQUEST_TIMEOUT',
    }),
    layerEncoding: option({
      flags: '--layer-encoding <encoding>',
      description: 'force gzip or none for every layer (default: judged per layer)',
      kind: choice(['gzip', 'none']),
      listChoices: true,
    }),
    layerSource: option({
      flags: '--layer-source <source>',
      description: "where layers are read: storage (the engine's, directly or through a helper container), export (docker save) or auto (default: $COG_PUSH_LAYER_SOURCE, else auto)",
      kind: settingKinds.layerSource,
      env: 'COG_PUSH_LAYER_SOURCE',
    }),
    cache: noCacheOption,
    secret: secretOption,
    ...remoteBuilderOptions,
    progress: pushProgressOption,
    separateWeights: separateWeightsOption,
    ...baseImageOptions,
    // Upstream's knob, without a flag: blobs at most this big go up in one request.
    multipartThreshold: option({ kind: settingKinds.multipartThreshold, env: 'COG_PUSH_MULTIPART_THRESHOLD' }),
    openapiSchema: option({ kind: settingKinds.schemaFile, env: 'COG_OPENAPI_SCHEMA' }),
  },
  handler: async (args, options, context) => {
    const { pushModel } = await import('../workflows/push.js');
    const result = await pushModel({
      cwd: context.cwd,
      image: args[0],
      configFile: options.file,
      noBuild: options.build === false,
      noCache: options.cache === false,
      secrets: options.secret,
      openapiSchemaFile: options.openapiSchema,
      progress: options.progress ?? (options.json ? 'quiet' : undefined),
      chunkSize: options.chunkSize,
      concurrency: options.concurrency,
      multipartThreshold: options.multipartThreshold,
      compressionLevel: options.compressionLevel,
      encoding: options.layerEncoding,
      requestTimeoutMs: options.requestTimeout === undefined ? undefined : Math.round(options.requestTimeout * 1000),
      ...remoteBuilderFlags(options),
      layerSource: options.layerSource,
      ...baseImageFlags(options),
      env: context.env,
      logger: context.logger,
      signal: context.signal,
    });
    if (options.json) {
      context.print(JSON.stringify(toPushJson(result), null, 2));
      return;
    }
    // Without --json the summary is for the user, on stderr as upstream prints its own.
    const summary = toPushJson(result);
    context.logger.say(`Pushed ${result.image}@${result.digest}`);
    context.logger.say(
      `${summary.pushed} layer(s) pushed, ${summary.skipped} already there; ${formatBytes(result.bytesSent)} sent in ${(result.timings.push / 1000).toFixed(1)} s`,
    );
  },
});
