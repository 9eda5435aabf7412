import type { ProgressMode } from '../engine/argv.js';
import type { LayerEncoding } from '../image/types.js';
import { formatBytes } from '../ui/format.js';
import type { PushModelResult } from '../workflows/push.js';
import { baseImageOptions, readBaseImageFlags } from './base-image-flags.js';
import type { CommandDefinition } from './define.js';
import { configFileOption, jsonResultOption, noCacheOption, readRemoteBuilderFlags, remoteBuilderOptions, secretOption, separateWeightsOption } from './shared-options.js';

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

export const pushCommand: CommandDefinition = {
  name: 'push',
  arguments: '[image]',
  description: 'Build and push an image to a registry (in chunks, resumable, skipping what is there)',
  options: [
    configFileOption,
    { flags: '--no-build', description: 'push the local image as it is, without building it first' },
    jsonResultOption,
    { flags: '--chunk-size <size>', description: 'upload chunk size (default: $COG_PUSH_DEFAULT_CHUNK_SIZE, else 96MiB, lowered when the registry asks)' },
    { flags: '--concurrency <n>', description: 'layers uploaded at once (default: $COG_PUSH_CONCURRENCY, else 3)' },
    { flags: '--compression-level <n>', description: 'gzip level for layers worth compressing, 1-9 (default: 1)' },
    { flags: '--request-timeout <seconds>', description: 'give up on a registry request after this long, then retry (default: 60, or $COG_REQUEST_TIMEOUT)' },
    { flags: '--layer-encoding <encoding>', description: 'force gzip or none for every layer (default: judged per layer)', choices: ['gzip', 'none'] },
    { flags: '--layer-source <source>', description: "where layers are read: storage (the engine's, directly or through a helper container), export (docker save) or auto (default: $COG_PUSH_LAYER_SOURCE, else auto)" },
    noCacheOption,
    secretOption,
    ...remoteBuilderOptions,
    { flags: '--progress <mode>', description: 'build output: auto, plain, tty, quiet or json', choices: ['auto', 'plain', 'tty', 'quiet', 'json'] },
    separateWeightsOption,
    ...baseImageOptions,
  ],
  handler: async (args, options, context) => {
    const [{ pushModel }, { pushSettings }] = await Promise.all([import('../workflows/push.js'), import('../workflows/push-settings.js')]);
    const settings = pushSettings(
      {
        chunkSize: options.chunkSize as string | undefined,
        concurrency: options.concurrency as string | undefined,
        requestTimeout: options.requestTimeout as string | undefined,
        layerSource: options.layerSource as string | undefined,
      },
      process.env,
    );
    for (const line of settings.sources) context.logger.debug(line);
    const result = await pushModel({
      cwd: context.cwd,
      image: args[0],
      configFile: options.file as string,
      noBuild: options.build === false,
      noCache: options.cache === false,
      secrets: options.secret as string[] | undefined,
      progress: (options.progress as ProgressMode | undefined) ?? (options.json ? 'quiet' : undefined),
      chunkSize: settings.chunkSize,
      concurrency: settings.concurrency,
      multipartThreshold: settings.multipartThreshold,
      compressionLevel: options.compressionLevel ? Number(options.compressionLevel) : undefined,
      encoding: options.layerEncoding as LayerEncoding | undefined,
      requestTimeoutMs: settings.requestTimeoutMs,
      ...readRemoteBuilderFlags(options),
      layerSource: settings.layerSource,
      ...readBaseImageFlags(options),
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
};
