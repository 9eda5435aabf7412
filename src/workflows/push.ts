import { findConfigFile } from '../config/find.js';
import { loadConfig } from '../config/load.js';
import { createDockerCli, type DockerCli } from '../docker/process.js';
import { CancelledError, UserError } from '../errors.js';
import type { LayerEncoding } from '../image/types.js';
import { Logger } from '../ui/logger.js';
import { buildModel, type BuildModelOptions } from './build.js';
import { pushImage, type PushImageResult } from './push-image.js';

export interface PushModelOptions extends Omit<BuildModelOptions, 'tag' | 'logger' | 'docker'> {
  /** Where to push (`registry/repository[:tag]`); default cog.yaml `image`. */
  image?: string | undefined;
  /** Push the local image as it is, without building it first. Default false. */
  noBuild?: boolean;
  chunkSize?: number | undefined;
  concurrency?: number | undefined;
  compressionLevel?: number | undefined;
  encoding?: LayerEncoding | undefined;
  /** Per-request timeout; default the transport's. */
  requestTimeoutMs?: number | undefined;
  logger?: Logger;
  docker?: DockerCli;
}

export interface PushModelResult extends PushImageResult {
  /** Milliseconds spent building (0 with noBuild) and pushing. */
  timings: { build: number; push: number };
}

/** `cog push`: build the model as the image name says (as upstream does), then push it. */
export async function pushModel(options: PushModelOptions): Promise<PushModelResult> {
  const logger = options.logger ?? new Logger();
  const docker = options.docker ?? createDockerCli();
  const image = options.image ?? configuredImage(options);
  const buildStarted = performance.now();
  if (!options.noBuild) {
    await buildModel({ ...options, tag: image, logger, docker }).catch((error: unknown) => {
      if (options.signal?.aborted) throw new CancelledError('push cancelled during the build: nothing was pushed', { cause: error });
      throw error;
    });
  }
  const pushStarted = performance.now();
  logger.info('push', `pushing ${image}`);
  const result = await pushImage({
    docker,
    image,
    logger,
    chunkSize: options.chunkSize,
    concurrency: options.concurrency,
    compressionLevel: options.compressionLevel,
    encoding: options.encoding,
    requestTimeoutMs: options.requestTimeoutMs,
    signal: options.signal,
  });
  return { ...result, timings: { build: Math.round(pushStarted - buildStarted), push: Math.round(performance.now() - pushStarted) } };
}

function configuredImage(options: PushModelOptions): string {
  const { config } = loadConfig(findConfigFile(options.cwd, options.configFile));
  if (config.image) return config.image;
  throw new UserError(
    "To push images, you must either set the 'image' option in cog.yaml or pass an image name as an argument. For example, 'cog push registry.example.com/your-username/hotdog-detector'",
  );
}
