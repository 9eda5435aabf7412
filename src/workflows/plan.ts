import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { breakSystemPackages } from '../compat/base-image.js';
import type { Config } from '../config/types.js';
import { defaultImageName } from '../config/image-name.js';
import { readCaCert } from '../dockerfile/ca-cert.js';
import { generateBuildPlan } from '../dockerfile/generate.js';
import { indexSecretArgs, indexSecretsFromEnv } from '../dockerfile/package-index.js';
import type { BuildPlan } from '../dockerfile/plan.js';
import { cogInstall, cogletInstall, parseWheelSource, type RuntimeInstall } from '../dockerfile/runtime-wheels.js';
import { weightsDockerfile, weightsImageName } from '../dockerfile/weights.js';
import { UserError } from '../errors.js';
import { readEnv, type Env } from '../settings/env.js';
import { declaredWeightLayers } from '../weights/declared.js';
import { findWeightFiles, weightLayers, type WeightFile } from '../weights/find.js';
import type { Resolution } from './resolve.js';

export type { BaseImageFlags } from './resolve.js';

export interface PlanBuildOptions {
  /** Where relative paths given on the command line (`--dockerfile`, wheel files) are resolved. */
  cwd: string;
  /** COG_CA_CERT, the package-index settings and the runtime wheels. */
  env: Env;
  /** Copy the code into the image (default true; false for run/serve/exec, which mount it). */
  includeSource?: boolean;
  /** Image name (`-t`); default cog.yaml `image`, else `cog.yaml model`, else `cog-<dirname>`. */
  tag?: string | undefined;
  /** Files at least this big get layers of their own. Default 10 MiB. */
  weightsThresholdBytes?: number | undefined;
  /** `--dockerfile`: build this Dockerfile as it is instead of generating one. */
  dockerfile?: string | undefined;
}

/** Everything decided before the engine is touched; `cog debug` prints it, `cog build` builds it. */
export interface ModelPlan {
  /** The model as resolved: versions, base image, requirements, schema. */
  resolution: Resolution;
  /** The image name the build produces. */
  image: string;
  /** The weights image and its Dockerfile, when the project has large files. */
  weights: { image: string; files: WeightFile[]; dockerfile: string; dockerignore: string } | undefined;
  /**
   * How many layers at the end of the image hold the code (the `COPY . /src`, and the `RUN cp` of
   * a config file with another name); undefined when unknown (`--dockerfile`).
   */
  codeLayers: number | undefined;
  /** Runtime wheels (COG_SDK_WHEEL / COGLET_WHEEL files) to stage into the build directory. */
  stagedWheels: Array<{ source: string; name: string }>;
  /** `--secret` values the build needs besides the user's (package-index settings). */
  secrets: string[];
  build: BuildPlan;
  /** The resolution's warnings, then the weights' and the Dockerfile's. */
  warnings: string[];
}

/**
 * Resolution → the build: the image's name, its weights layers, the Dockerfile and the files it
 * needs. Pure but for reading the project's `.dockerignore` and the sizes of its files.
 */
export function planBuild(resolution: Resolution, options: PlanBuildOptions): ModelPlan {
  const { config, base } = resolution;
  const configFileName = path.basename(config.file);
  const userIgnorePath = path.join(config.projectDir, '.dockerignore');
  const userIgnore = existsSync(userIgnorePath) ? readFileSync(userIgnorePath, 'utf8') : undefined;
  // Upstream's order: -t, cog.yaml image, cog.yaml model, then the folder's name.
  const image = options.tag ?? config.image ?? config.model ?? defaultImageName(config.projectDir);
  const weightsPlan = options.includeSource === false ? undefined : planWeights(config, image, userIgnore, options.weightsThresholdBytes);
  const weights = weightsPlan?.plan;
  const packageIndex = indexSecretsFromEnv(options.env);
  const runtime = runtimeInstalls(config, options.env, options.cwd);
  const caCert = readEnv('COG_CA_CERT', options.env);
  const generated = generateBuildPlan(config, {
    base,
    pythonVersion: resolution.python,
    breakSystemPackages: breakSystemPackages(base, resolution.cuda),
    requirements: resolution.requirements,
    localArtifacts: resolution.localArtifacts.length > 0,
    caCert: caCert ? readCaCert(caCert) : undefined,
    userDockerignore: userIgnore,
    includeSource: options.includeSource,
    configFileName,
    weights: weights && { image: weights.image, layers: weights.layers },
    packageIndex,
    runtime,
    withSchema: resolution.schema !== undefined,
  });
  const build = options.dockerfile ? userDockerfilePlan(path.resolve(options.cwd, options.dockerfile), generated) : generated;
  return {
    resolution,
    image,
    weights: weights && !options.dockerfile ? { image: weights.image, files: weights.files, ...weightsDockerfile(weights.layers) } : undefined,
    stagedWheels: runtime.flatMap((install) => (install.staged ? [install.staged] : [])),
    secrets: indexSecretArgs(packageIndex),
    codeLayers: options.dockerfile ? undefined : options.includeSource === false ? 0 : configFileName === 'cog.yaml' ? 1 : 2,
    build,
    warnings: [...resolution.warnings, ...(weightsPlan?.warnings ?? []), ...build.warnings],
  };
}

/**
 * `--dockerfile`: the user's Dockerfile, verbatim, with the generated plan's ignore file (so
 * `.cog/` stays out as always). Schema, pip freeze and labels still apply.
 */
function userDockerfilePlan(file: string, generated: BuildPlan): BuildPlan {
  if (!existsSync(file)) throw new UserError(`--dockerfile ${file}: no such file`);
  const dockerfile = readFileSync(file, 'utf8');
  const from = /^\s*FROM\s+(?:--\S+\s+)*(\S+)/im.exec(dockerfile)?.[1];
  if (!from) throw new UserError(`--dockerfile ${file}: no FROM instruction`);
  return { ...generated, baseImage: from, dockerfile, files: {} };
}

/** The Cog runtime's install lines: COG_SDK_WHEEL / COGLET_WHEEL when set, else `build.sdk_version`. */
function runtimeInstalls(config: Config, env: Env, cwd: string): RuntimeInstall[] {
  const sdkWheel = readEnv('COG_SDK_WHEEL', env);
  const cogletWheel = readEnv('COGLET_WHEEL', env);
  const sdk = sdkWheel ? parseWheelSource(sdkWheel, 'cog', cwd) : undefined;
  const coglet = cogletWheel ? cogletInstall(parseWheelSource(cogletWheel, 'coglet', cwd)) : undefined;
  return [cogInstall(sdk, config.build.sdkVersion), ...(coglet ? [coglet] : [])];
}

/**
 * The layers of weights: cog.yaml's declared `weights:` from project directories, then every other
 * large file. Neither goes into the code layer.
 */
function planWeights(config: Config, image: string, dockerignoreText: string | undefined, thresholdBytes: number | undefined) {
  const declared = declaredWeightLayers(config.weights, config.projectDir);
  const declaredFiles = new Set(declared.layers.flatMap((layer) => layer.files));
  const large = findWeightFiles(config.projectDir, { dockerignoreText, thresholdBytes }).filter((file) => !declaredFiles.has(file.path));
  const layers = [...declared.layers, ...weightLayers(large)];
  const files = [...[...declaredFiles].map((file) => ({ path: file, size: statSync(path.join(config.projectDir, file)).size })), ...large];
  return { warnings: declared.warnings, plan: layers.length > 0 ? { image: weightsImageName(image), files, layers } : undefined };
}
