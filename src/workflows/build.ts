import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { findConfigFile } from '../config/find.js';
import { defaultImageName } from '../config/image-name.js';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/types.js';
import { requireEngine, inspectImage } from '../docker/engine.js';
import { createDockerCli, type DockerCli } from '../docker/process.js';
import { readCaCert } from '../dockerfile/ca-cert.js';
import { generateBuildPlan } from '../dockerfile/generate.js';
import { buildDirName, type BuildPlan } from '../dockerfile/plan.js';
import type { ProgressMode } from '../engine/argv.js';
import { runBuild } from '../engine/build.js';
import { describeRoute, detectRoute } from '../engine/route.js';
import { readRequirements } from '../requirements/read.js';
import { createBuildProgress } from '../ui/build-progress.js';
import { Logger } from '../ui/logger.js';

export interface BuildModelOptions {
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
  /** The environment to read COG_CA_CERT from. Default process.env. */
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

/** Plans a build from cog.yaml without touching the engine (also what `cog debug` prints). */
export function planBuild(config: Config, env: NodeJS.ProcessEnv = process.env, includeSource = true): BuildPlan {
  const requirements = readRequirements(config);
  const userIgnore = path.join(config.projectDir, '.dockerignore');
  const plan = generateBuildPlan(config, {
    requirements: requirements.lines,
    caCert: env.COG_CA_CERT ? readCaCert(env.COG_CA_CERT) : undefined,
    userDockerignore: existsSync(userIgnore) ? readFileSync(userIgnore, 'utf8') : undefined,
    includeSource,
  });
  return { ...plan, warnings: [...requirements.warnings, ...plan.warnings] };
}

/** `cog build`: cog.yaml → Dockerfile → BuildKit → a tagged image in the local engine. */
export async function buildModel(options: BuildModelOptions): Promise<BuildModelResult> {
  const logger = options.logger ?? new Logger();
  const docker = options.docker ?? createDockerCli();
  const found = findConfigFile(options.cwd, options.configFile);
  const { config, warnings } = loadConfig(found);
  const image = options.tag ?? config.image ?? defaultImageName(config.projectDir);
  logger.info('config', `${path.relative(options.cwd, found.file) || found.file} → image ${image}`);

  const plan = planBuild(config, options.env ?? process.env);
  for (const warning of [...warnings, ...plan.warnings]) logger.warn(warning);
  logger.info('resolve', `python ${config.build.pythonVersion ?? '(default)'} on ${plan.baseImage}`);

  await requireEngine(docker);
  const route = await detectRoute(docker, { builder: options.builder });
  logger.debug(`engine route: ${describeRoute(route)}`);

  const dockerfile = stageBuildFiles(config.projectDir, plan);
  logger.info('build', `building ${image} with BuildKit`);
  const progress = createBuildProgress(options.progress ?? 'auto', logger);
  try {
    await runBuild(
      docker,
      route,
      { contextDir: config.projectDir, dockerfile, tag: image, noCache: options.noCache, secrets: options.secrets },
      { signal: options.signal, onProgress: progress.line },
    );
    progress.stop(true);
  } catch (error) {
    progress.stop(false);
    throw error;
  }
  const info = await inspectImage(docker, image);
  return { image, imageId: info.id, size: info.size, baseImage: plan.baseImage, dockerfile: plan.dockerfile, warnings: [...warnings, ...plan.warnings] };
}

/**
 * Writes the Dockerfile, its ignore file and the generated files into `.cog/build/`, replacing
 * what an earlier build left there. Each file is written whole to a temporary name and renamed,
 * so an interrupted build never leaves a half-written file for the next one.
 */
function stageBuildFiles(projectDir: string, plan: BuildPlan): string {
  const dir = path.join(projectDir, buildDirName);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const write = (name: string, text: string) => {
    const target = path.join(dir, name);
    writeFileSync(`${target}.tmp`, text);
    renameSync(`${target}.tmp`, target);
  };
  for (const [name, text] of Object.entries(plan.files)) write(name, text);
  write('Dockerfile', plan.dockerfile);
  write('Dockerfile.dockerignore', plan.dockerignore);
  return path.join(dir, 'Dockerfile');
}
