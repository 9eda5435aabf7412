import { createHash } from 'node:crypto';
import { copyFileSync, linkSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { inspectImage, removeImageName, requireEngine, runInImage } from '../docker/engine.js';
import { imageLabels } from '../dockerfile/labels.js';
import { cogpackVersion } from '../version.js';
import { readSourceInfo } from '../vcs/git.js';
import { createDockerCli, type DockerCli } from '../docker/process.js';
import { buildDirName } from '../dockerfile/plan.js';
import type { BuildRequest, ProgressMode } from '../engine/argv.js';
import { runBuild } from '../engine/build.js';
import { describeRoute, detectRoute } from '../engine/route.js';
import { localArtifactsStagingDir } from '../requirements/local-artifacts.js';
import { createBuildProgress } from '../ui/build-progress.js';
import { formatBytes } from '../ui/format.js';
import { Logger } from '../ui/logger.js';
import { imageAvailability } from './image-available.js';
import { planModel, type BaseImageFlags, type ModelPlan } from './plan.js';

export interface BuildModelOptions extends BaseImageFlags {
  /** Where to start looking for cog.yaml. */
  cwd: string;
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
  /** The environment to read COG_CA_CERT and COG_REGISTRY_HOST from. Default process.env. */
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  docker?: DockerCli;
  signal?: AbortSignal;
}

export interface BuildModelResult {
  image: string;
  imageId: string;
  /** Uncompressed image size in bytes. */
  size: number;
  baseImage: string;
  dockerfile: string;
  warnings: string[];
}

/** `cog build`: cog.yaml → Dockerfile → BuildKit → a tagged image in the local engine. */
export async function buildModel(options: BuildModelOptions): Promise<BuildModelResult> {
  const logger = options.logger ?? new Logger();
  const docker = options.docker ?? createDockerCli();
  // Config problems first: they are the user's to fix whether or not an engine runs.
  const model = await planModel({ ...options, imageAvailable: imageAvailability({ docker }) });
  await requireEngine(docker);
  const { config, image } = model;
  logger.info('config', `${path.relative(options.cwd, config.file) || config.file} → image ${image}`);
  for (const warning of model.warnings) logger.warn(warning);
  logger.info('resolve', describeResolution(model));

  const route = await detectRoute(docker, { builder: options.builder });
  logger.debug(`engine route: ${describeRoute(route)}`);
  const dockerfile = stageBuildFiles(model);
  const started = new Date();
  // Build under a temporary name and label into the final one: a failure at any step leaves the
  // previous image of that name untouched.
  const temporary = temporaryImageName(image);
  if (model.weights) {
    const total = model.weights.files.reduce((sum, f) => sum + f.size, 0);
    logger.info('build', `${model.weights.files.length} weight file(s), ${formatBytes(total)}, in layers of their own (${model.weights.image})`);
    await runBuild(docker, route, weightsBuildRequest(config.projectDir, model.weights), { signal: options.signal });
  }
  logger.info('build', `building ${image} with BuildKit`);
  const progress = createBuildProgress(options.progress ?? 'auto', logger);
  try {
    try {
      await runBuild(
        docker,
        route,
        { contextDir: config.projectDir, dockerfile, tag: temporary, noCache: options.noCache, secrets: [...(options.secrets ?? []), ...model.secrets] },
        { signal: options.signal, onProgress: progress.line },
      );
      progress.stop(true);
    } catch (error) {
      progress.stop(false);
      throw error;
    }
    logger.info('label', 'recording pip freeze, config and source in labels');
    const [pipFreeze, source] = await Promise.all([
      runInImage(docker, temporary, ['uv', 'pip', 'freeze'], options.signal),
      readSourceInfo(config.projectDir, options.env ?? process.env),
    ]);
    const labels = imageLabels({
      config,
      cuda: model.cuda,
      cudnn: model.cudnn,
      cogVersion: cogpackVersion(),
      openapiSchema: undefined,
      pipFreeze: pipFreeze.trimEnd(),
      hasInit: model.base.kind !== 'cog-base',
      source,
      created: started.toISOString(),
    });
    await runBuild(docker, route, labelBuildRequest(config.projectDir, temporary, image, labels), { signal: options.signal });
  } finally {
    await removeImageName(docker, temporary);
  }
  const info = await inspectImage(docker, image);
  return { image, imageId: info.id, size: info.size, baseImage: model.base.image, dockerfile: model.build.dockerfile, warnings: model.warnings };
}

/** A name no user picks, derived from the final one so concurrent builds of two images never collide. */
function temporaryImageName(image: string): string {
  return `cog-tmp:${createHash('sha256').update(`${image}\0${process.pid}`).digest('hex').slice(0, 16)}`;
}

/** The weights image: built from the project with an ignore file that lets only the weights in. */
function weightsBuildRequest(projectDir: string, weights: NonNullable<ModelPlan['weights']>): BuildRequest {
  const dir = path.join(projectDir, buildDirName, 'weights');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'Dockerfile'), weights.dockerfile);
  writeFileSync(path.join(dir, 'Dockerfile.dockerignore'), weights.dockerignore);
  return { contextDir: projectDir, dockerfile: path.join(dir, 'Dockerfile'), tag: weights.image };
}

/** The label step: `FROM <built image>` with the labels, no new layers. */
function labelBuildRequest(projectDir: string, from: string, tag: string, labels: Record<string, string>): BuildRequest {
  const dir = path.join(projectDir, buildDirName, 'labels');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'Dockerfile'), `FROM ${from}\n`);
  return { contextDir: dir, dockerfile: path.join(dir, 'Dockerfile'), tag, labels };
}

function describeResolution(model: ModelPlan): string {
  const parts = [`python ${model.config.build.pythonVersion ?? '(default)'}`];
  if (model.config.build.gpu) parts.push(`CUDA ${model.cuda} / cuDNN ${model.cudnn}`);
  if (model.frameworks.torch) parts.push(`torch ${model.frameworks.torch}`);
  if (model.frameworks.tensorflow) parts.push(`tensorflow ${model.frameworks.tensorflow}`);
  return `${parts.join(', ')} on ${model.base.image}`;
}

/**
 * Writes the Dockerfile, its ignore file and the generated files into `.cog/build/`, replacing
 * what an earlier build left there. Each file is written whole to a temporary name and renamed,
 * so an interrupted build never leaves a half-written file for the next one. Local artifacts are
 * hard-linked (a multi-gigabyte wheel costs nothing), copied across filesystems.
 */
function stageBuildFiles(model: ModelPlan): string {
  const dir = path.join(model.config.projectDir, buildDirName);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const write = (name: string, text: string) => {
    const target = path.join(dir, name);
    writeFileSync(`${target}.tmp`, text);
    renameSync(`${target}.tmp`, target);
  };
  for (const [name, text] of Object.entries(model.build.files)) write(name, text);
  for (const artifact of model.localArtifacts) {
    const target = path.join(dir, localArtifactsStagingDir, ...artifact.stagedAs.split('/'));
    mkdirSync(path.dirname(target), { recursive: true });
    try {
      linkSync(artifact.source, target);
    } catch {
      copyFileSync(artifact.source, target);
    }
  }
  write('Dockerfile', model.build.dockerfile);
  write('Dockerfile.dockerignore', model.build.dockerignore);
  return path.join(dir, 'Dockerfile');
}
