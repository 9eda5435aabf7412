import { createDockerCli, dockerBinary, type DockerCli } from '../docker/process.js';
import { CancelledError } from '../errors.js';
import type { LayerEncoding } from '../image/types.js';
import { cacheDirChoice } from '../cache/json-cache.js';
import { inspectEnv, processEnv, readEnv } from '../settings/env.js';
import type { LayerSourceChoice } from '../settings/variables.js';
import { Logger } from '../ui/logger.js';
import type { BuildModelOptions } from './build.js';
import { readProject, readProjectConfig, readProjectConfigIfAny, type Project } from './project.js';
import { resolvePushTarget } from './push-target.js';
import { parseReference } from '../registry/reference.js';
import { pushArchive } from './push-archive.js';
import { pushImage, type PushImageOptions, type PushImageResult } from './push-image.js';

export interface PushModelOptions extends Omit<BuildModelOptions, 'tag' | 'logger' | 'docker' | 'project' | 'dev'> {
  /**
   * The image argument (`registry/repository[:tag]`). Where the push goes is decided as upstream
   * decides it, with cog.yaml `model:`/`image:` and COG_MODEL* (push-target.ts).
   */
  image?: string | undefined;
  /** Push the local image as it is, without building it first. Default false. */
  noBuild?: boolean;
  chunkSize?: number | undefined;
  concurrency?: number | undefined;
  /** Blobs at most this big go up in one request. Default the uploader's. */
  multipartThreshold?: number | undefined;
  compressionLevel?: number | undefined;
  encoding?: LayerEncoding | undefined;
  /** Per-request timeout; default the transport's. */
  requestTimeoutMs?: number | undefined;
  /** Where layers are read; default `auto`. */
  layerSource?: LayerSourceChoice | undefined;
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
  const env = options.env ?? processEnv();
  // Upstream's opt-in to its chunked uploader; cogpack's uploader is always that one.
  const oci = inspectEnv('COG_PUSH_OCI', env).raw;
  if (oci !== undefined) logger.debug(`COG_PUSH_OCI=${oci} accepted: cogpack always pushes with its own chunked uploader`);
  const cache = cacheDirChoice(env);
  logger.debug(`cache dir ${cache.dir} (from ${cache.source})`);
  const docker = options.docker ?? createDockerCli(dockerBinary(env));
  const project = await readPushedProject(options);
  const target = resolvePushTarget({ argument: options.image, config: { image: project?.config.image, model: project?.config.model }, env });
  const image = target.image;
  logger.debug(`push target: ${image} (from ${target.source === 'model' ? 'model: / COG_MODEL*' : target.source === 'image' ? 'cog.yaml image' : 'the argument'})`);
  const buildStarted = performance.now();
  const pushOptions: PushImageOptions = {
    docker,
    image,
    logger,
    chunkSize: options.chunkSize,
    concurrency: options.concurrency,
    multipartThreshold: options.multipartThreshold,
    compressionLevel: options.compressionLevel,
    encoding: options.encoding,
    requestTimeoutMs: options.requestTimeoutMs,
    layerSource: options.layerSource,
    env,
    signal: options.signal,
  };
  // On a BuildKit daemon (no local engine needed) the build's export streams into the uploader.
  if (!options.noBuild && (options.buildkitHost ?? readEnv('BUILDKIT_HOST', env))) {
    const { buildModel } = await import('./build.js');
    let pushed: PushImageResult | undefined;
    let pushStarted = 0;
    await buildModel({
      ...options,
      project,
      tag: image,
      env,
      logger,
      docker,
      daemonOutput: async (archive, again, built) => {
        pushStarted = performance.now();
        logger.info('push', `pushing ${image} from the BuildKit daemon's export`);
        pushed = await pushArchive({ ...pushOptions, mountFrom: mountableFrom(built.baseImage, image) }, archive, again);
      },
    }).catch((error: unknown) => {
      if (options.signal?.aborted && !(error instanceof CancelledError)) throw new CancelledError('push cancelled during the build: nothing was pushed', { cause: error });
      throw error;
    });
    if (!pushed) throw new Error('the BuildKit daemon built the image but handed no export to push');
    return { ...pushed, timings: { build: Math.round(pushStarted - buildStarted), push: Math.round(performance.now() - pushStarted) } };
  }
  if (!options.noBuild) {
    // Loaded only to build: `cog push --no-build` keeps the planner, the compat matrix and the
    // schema reader out of memory (about 18 MB of a push's peak).
    const { buildModel } = await import('./build.js');
    await buildModel({ ...options, project, tag: image, env, logger, docker }).catch((error: unknown) => {
      if (options.signal?.aborted) throw new CancelledError('push cancelled during the build: nothing was pushed', { cause: error });
      throw error;
    });
  }
  const pushStarted = performance.now();
  logger.info('push', `pushing ${image}`);
  const result = await pushImage(pushOptions);
  return { ...result, timings: { build: Math.round(pushStarted - buildStarted), push: Math.round(performance.now() - pushStarted) } };
}

/**
 * The project, read once for both the push target (cog.yaml `image`, `model`) and the build (with
 * the predictor's schema); none when pushing a local image from outside a project (`--no-build`).
 */
async function readPushedProject(options: PushModelOptions): Promise<Project | undefined> {
  const { cwd, configFile } = options;
  if (!options.noBuild) return readProject({ cwd, configFile, schema: { file: options.openapiSchemaFile } });
  if (!options.image) return { ...(await readProjectConfig({ cwd, configFile })), schema: undefined };
  const loaded = await readProjectConfigIfAny({ cwd, configFile });
  return loaded && { ...loaded, schema: undefined };
}

/** The base image's repository, when it lives on the registry pushed to: its layers can be mounted, not sent. */
function mountableFrom(baseImage: string, target: string): string[] {
  const base = parseReference(baseImage);
  return base.registry === parseReference(target).registry ? [base.repository] : [];
}
