import { createHash } from 'node:crypto';
import path from 'node:path';
import { cacheDir } from '../cache/json-cache.js';
import type { Readable } from 'node:stream';
import { inspectImage, removeImageName, requireEngine, tagImage } from '../docker/engine.js';
import { createDockerCli, dockerBinary, type DockerCli } from '../docker/process.js';
import { imageLabels } from '../dockerfile/labels.js';
import type { ProgressMode } from '../engine/argv.js';
import { runBuild } from '../engine/build.js';
import { describeRoute, detectRoute, type BuildkitdRoute, type BuildkitTls } from '../engine/route.js';
import { buildOnDaemon, type DaemonBuildTarget } from './build-remote.js';
import { createBuildProgress } from '../ui/build-progress.js';
import { formatBytes } from '../ui/format.js';
import { Logger } from '../ui/logger.js';
import { startPhase } from '../ui/phase.js';
import { processEnv, readEnv, type Env } from '../settings/env.js';
import { readSourceInfo } from '../vcs/git.js';
import { cogpackVersion } from '../version.js';
import { labelBuildRequest, stageBuildFiles, weightsBuildRequest } from './build-staging.js';
import { imageAvailability } from './image-available.js';
import { dependencyKey, PipFreezeCache } from './pip-freeze.js';
import { planBuild, type ModelPlan } from './plan.js';
import { readProject, type Project } from './project.js';
import { resolveModel, type BaseImageFlags } from './resolve.js';

export interface BuildModelOptions extends BaseImageFlags {
  /** Where to start looking for cog.yaml, and where relative paths given are resolved. */
  cwd: string;
  /**
   * cog.yaml (and the predictor's schema) as a command already read them: the build reads neither
   * again. Default: read from `cwd` (`configFile`), with the schema (`openapiSchemaFile`, else the predictor).
   */
  project?: Project | undefined;
  /** Config file name or path (`-f`). Default `cog.yaml`. */
  configFile?: string;
  /** Image name (`-t`); default cog.yaml `image`, else `cog-<dirname>`. */
  tag?: string;
  /** Build every step again (`--no-cache`). Default false. */
  noCache?: boolean;
  /** How to show the build. Default `auto`: a spinner on a terminal, plain lines elsewhere. */
  progress?: ProgressMode;
  /** `--secret` values. */
  secrets?: string[];
  /** A named buildx builder (`--builder`). */
  builder?: string;
  /** A BuildKit daemon to build on (`--buildkit-host`); default `BUILDKIT_HOST`. */
  buildkitHost?: string | undefined;
  /** TLS for that daemon. */
  buildkitTls?: BuildkitTls | undefined;
  /** BuildKit cache exports (`--cache-to`) and imports (`--cache-from`). */
  cacheTo?: string[] | undefined;
  cacheFrom?: string[] | undefined;
  /**
   * On a BuildKit daemon: hand the built image to this as an OCI archive instead of loading it
   * into the local engine (`cog push` streams it into its uploader).
   */
  daemonOutput?: ((archive: Readable, again: () => Promise<Readable>, built: { baseImage: string }) => Promise<void>) | undefined;
  /** `--dockerfile`: build this Dockerfile as it is. */
  dockerfile?: string | undefined;
  /** `--openapi-schema` (or COG_OPENAPI_SCHEMA): the schema to label the image with, instead of the static one. */
  openapiSchemaFile?: string | undefined;
  /** Files at least this big get layers of their own. Default 10 MiB. */
  weightsThresholdBytes?: number | undefined;
  /** The environment to read COG_CA_CERT, COG_REGISTRY_HOST, mirrors and index settings from. Default the process's. */
  env?: Env;
  logger?: Logger;
  docker?: DockerCli;
  /** Where pip freeze results are cached; default under the cache dir. */
  pipFreezeCache?: PipFreezeCache;
  signal?: AbortSignal;
  /**
   * A dev image for `cog run`/`serve`/`exec`/`train` (upstream's ExcludeSource + SkipLabels): no
   * `COPY . /src` (the project is mounted), no labels, no pip freeze; `.cog/openapi_schema.json`
   * is staged when the project carries a schema (not for exec). Default: a full build.
   */
  dev?: boolean;
}

export interface BuildModelResult {
  image: string;
  /** The engine's image ID; empty when the image stayed in a BuildKit daemon (no local engine). */
  imageId: string;
  /** Where the image is: the local engine, or only a BuildKit daemon's cache (or an upload). */
  location?: 'engine' | 'builder';
  /** Uncompressed image size in bytes. */
  size: number;
  baseImage: string;
  dockerfile: string;
  warnings: string[];
  /** Milliseconds per phase: plan, engine, build, labels, total. */
  timings: Record<string, number>;
}

/**
 * `cog build`: cog.yaml → Dockerfile → BuildKit → a labelled image in the local engine.
 *
 * The image is built under a temporary name and only then given its own, so a failure at any step
 * leaves the previous image of that name untouched, and no temporary name survives.
 */
export async function buildModel(options: BuildModelOptions): Promise<BuildModelResult> {
  const logger = options.logger ?? new Logger();
  const env = options.env ?? processEnv();
  const docker = options.docker ?? createDockerCli(dockerBinary(env));
  const freezes = options.pipFreezeCache ?? new PipFreezeCache(path.join(cacheDir(env), 'pip-freeze.json'));
  const clock = phaseClock(logger);
  const started = performance.now();

  // Config problems first: they are the user's to fix whether or not an engine runs.
  const planning = startPhase(logger, 'config', options.project ? 'resolving versions, planning the build' : 'reading cog.yaml, resolving versions, describing the predictor');
  const model = await planModel(options, env, docker).catch((error: unknown) => {
    planning.fail();
    throw error;
  });
  const { image } = model;
  const { config } = model.resolution;
  planning.succeed(`${config.file} → image ${image}`);
  for (const warning of model.warnings) logger.warn(warning);
  logger.info('resolve', describeResolution(model));
  clock('plan');

  // A BuildKit daemon named (flag or BUILDKIT_HOST) needs no local engine; the other routes do,
  // and a missing engine is the first thing to say.
  const daemonNamed = Boolean(options.buildkitHost ?? readEnv('BUILDKIT_HOST', env));
  const [, route, source] = await Promise.all([
    daemonNamed ? undefined : requireEngine(docker),
    detectRoute(docker, { builder: options.builder, buildkitHost: options.buildkitHost, buildkitTls: options.buildkitTls, env }),
    readSourceInfo(config.projectDir, env),
  ]);
  logger.debug(`engine route: ${describeRoute(route)}`);
  clock('engine');

  const dockerfile = stageBuildFiles(model);
  const labelsFor = (pipFreeze: string) =>
    imageLabels({
      config,
      cuda: model.resolution.cuda,
      cudnn: model.resolution.cudnn,
      cogVersion: cogpackVersion(),
      openapiSchema: model.resolution.schema,
      pipFreeze,
      hasInit: model.resolution.base.kind !== 'cog-base',
      source,
      created: new Date().toISOString(),
    });
  if (route.kind === 'buildkitd') {
    const built = await buildModelOnDaemon({ options, model, route, dockerfile, labelsWith: options.dev ? undefined : labelsFor, docker, logger });
    clock('build');
    return { ...built, baseImage: model.resolution.base.image, dockerfile: model.build.dockerfile, warnings: model.warnings, timings: { ...clock.timings, total: Math.round(performance.now() - started) } };
  }
  const predicted = model.codeLayers === undefined ? undefined : freezes.predict(image);
  const temporary = temporaryImageName(image);
  try {
    if (model.weights) {
      const total = model.weights.files.reduce((sum, f) => sum + f.size, 0);
      logger.info('build', `${model.weights.files.length} weight file(s), ${formatBytes(total)}, in layers of their own (${model.weights.image})`);
      const progress = createBuildProgress(options.progress ?? 'auto', logger);
      try {
        await runBuild(docker, route, weightsBuildRequest(config.projectDir, model.weights), { signal: options.signal, onProgress: progress.line });
        progress.stop(true);
      } catch (error) {
        progress.stop(false);
        throw error;
      }
    }
    logger.info('build', `building ${image} with BuildKit`);
    const progress = createBuildProgress(options.progress ?? 'auto', logger);
    try {
      await runBuild(
        docker,
        route,
        {
          contextDir: config.projectDir,
          dockerfile,
          tag: temporary,
          noCache: options.noCache,
          secrets: [...(options.secrets ?? []), ...model.secrets],
          labels: options.dev ? {} : labelsFor(predicted?.freeze ?? ''),
          cacheTo: options.cacheTo,
          cacheFrom: options.cacheFrom,
        },
        { signal: options.signal, onProgress: progress.line },
      );
      progress.stop(true);
    } catch (error) {
      progress.stop(false);
      throw error;
    }
    clock('build');

    const built = await inspectImage(docker, temporary);
    if (options.dev) {
      await tagImage(docker, temporary, image);
      const timings = { ...clock.timings, total: Math.round(performance.now() - started) };
      return { image, imageId: built.id, size: built.size, baseImage: model.resolution.base.image, dockerfile: model.build.dockerfile, warnings: model.warnings, timings };
    }
    const depsKey = dependencyKey(built.layers, model.codeLayers);
    let final = built;
    if (depsKey && depsKey === predicted?.depsKey) {
      // The dependencies are those of the last build: its pip freeze label is already right.
      await tagImage(docker, temporary, image);
    } else {
      const labelling = startPhase(logger, 'label', 'recording pip freeze in the labels');
      try {
        const freeze = await freezes.freeze(docker, temporary, depsKey ?? `image:${built.id}`, options.signal);
        await runBuild(docker, route, labelBuildRequest(config.projectDir, temporary, image, labelsFor(freeze)), { signal: options.signal });
        final = await inspectImage(docker, image);
        labelling.succeed();
      } catch (error) {
        labelling.fail();
        throw error;
      }
    }
    if (depsKey) freezes.remember(image, depsKey);
    clock('labels');
    return {
      image,
      imageId: final.id,
      size: final.size,
      baseImage: model.resolution.base.image,
      dockerfile: model.build.dockerfile,
      warnings: model.warnings,
      timings: { ...clock.timings, total: Math.round(performance.now() - started) },
    };
  } finally {
    await removeImageName(docker, temporary);
    clock('cleanup');
  }
}

/** The project (read now, unless a command handed it on) → its resolution → the build's plan. */
async function planModel(options: BuildModelOptions, env: Env, docker: DockerCli): Promise<ModelPlan> {
  const { cwd } = options;
  const project =
    options.project ?? (await readProject({ cwd, configFile: options.configFile, schema: options.dev ? false : { file: options.openapiSchemaFile } }));
  const resolution = await resolveModel(project, {
    env,
    useCogBaseImage: options.useCogBaseImage,
    useCudaBaseImage: options.useCudaBaseImage,
    imageAvailable: imageAvailability({ docker, env }),
  });
  return planBuild(resolution, {
    cwd,
    env,
    includeSource: options.dev ? false : undefined,
    tag: options.tag,
    weightsThresholdBytes: options.weightsThresholdBytes,
    dockerfile: options.dockerfile,
  });
}

/** The daemon route's build, with its result as the local routes give theirs. */
async function buildModelOnDaemon(args: {
  options: BuildModelOptions;
  model: ModelPlan;
  route: BuildkitdRoute;
  dockerfile: string;
  labelsWith: ((pipFreeze: string) => Record<string, string>) | undefined;
  docker: DockerCli;
  logger: Logger;
}): Promise<Pick<BuildModelResult, 'image' | 'imageId' | 'size' | 'location'>> {
  const { options, model, route, docker, logger } = args;
  const image = model.image;
  const toEngine = !options.daemonOutput && (await requireEngine(docker).then(() => true, () => false));
  const daemonOutput = options.daemonOutput;
  const target: DaemonBuildTarget = daemonOutput
    ? { kind: 'oci', consume: (archive, again) => daemonOutput(archive, again, { baseImage: model.resolution.base.image }) }
    : toEngine
      ? { kind: 'engine', docker, temporary: temporaryImageName(image), image }
      : { kind: 'cache' };
  logger.info('build', `building ${image} on the BuildKit daemon at ${route.address}`);
  const built = await buildOnDaemon(
    {
      model,
      route,
      dockerfile: args.dockerfile,
      labelsWith: args.labelsWith,
      noCache: options.noCache,
      secrets: [...(options.secrets ?? []), ...model.secrets],
      cacheTo: options.cacheTo,
      cacheFrom: options.cacheFrom,
      progress: options.progress ?? 'auto',
      logger,
      signal: options.signal,
    },
    target,
  );
  if (built) {
    logger.info('build', `loaded into the local engine as ${image}`);
    return { image, imageId: built.id, size: built.size, location: 'engine' };
  }
  if (target.kind === 'cache') {
    logger.warn(`no local engine to load ${image} into: it stays in the BuildKit daemon's cache at ${route.address} (cog push builds it there again from that cache and pushes it)`);
  }
  return { image, imageId: '', size: 0, location: 'builder' };
}

function describeResolution(model: ModelPlan): string {
  const { config, python, cuda, cudnn, frameworks, base } = model.resolution;
  const parts = [`python ${python}`];
  if (config.build.gpu) parts.push(`CUDA ${cuda} / cuDNN ${cudnn}`);
  if (frameworks.torch) parts.push(`torch ${frameworks.torch}`);
  if (frameworks.tensorflow) parts.push(`tensorflow ${frameworks.tensorflow}`);
  return `${parts.join(', ')} on ${base.image}`;
}

/** Times each phase: `--debug` prints them, `--json` reports them. */
function phaseClock(logger: Logger): ((phase: string) => void) & { timings: Record<string, number> } {
  let last = performance.now();
  const timings: Record<string, number> = {};
  const clock = (phase: string) => {
    const now = performance.now();
    timings[phase] = Math.round(now - last);
    logger.debug(`${phase}: ${timings[phase]} ms`);
    last = now;
  };
  return Object.assign(clock, { timings });
}

/** A name no user picks, derived from the final one so concurrent builds of two images never collide. */
function temporaryImageName(image: string): string {
  return `cog-tmp:${createHash('sha256').update(`${image}\0${process.pid}`).digest('hex').slice(0, 16)}`;
}
