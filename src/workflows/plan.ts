import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { breakSystemPackages, chooseBaseImage, cogBaseTagFor, defaultCogBaseRegistry, pythonMinor } from '../compat/base-image.js';
import { resolveCuda } from '../compat/resolve.js';
import type { BaseImageChoice, CompatInput, Frameworks } from '../compat/types.js';
import { findConfigFile } from '../config/find.js';
import { UserError } from '../errors.js';
import { defaultImageName } from '../config/image-name.js';
import { weightsDockerfile, weightsImageName } from '../dockerfile/weights.js';
import { declaredWeightLayers } from '../weights/declared.js';
import { findWeightFiles, weightLayers, type WeightFile } from '../weights/find.js';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/types.js';
import { readCaCert } from '../dockerfile/ca-cert.js';
import { generateBuildPlan } from '../dockerfile/generate.js';
import { indexSecretArgs, indexSecretsFromEnv } from '../dockerfile/package-index.js';
import { cogInstall, cogletInstall, parseWheelSource, type RuntimeInstall } from '../dockerfile/runtime-wheels.js';
import type { BuildPlan } from '../dockerfile/plan.js';
import { mirroredImage, parseImageMirrors } from '../registry/mirrors.js';
import { detectFrameworks } from '../requirements/frameworks.js';
import { planLocalArtifacts, type StagedArtifact } from '../requirements/local-artifacts.js';
import { readRequirements } from '../requirements/read.js';
import { rewriteRequirements } from '../requirements/rewrite.js';

/** Base-image flags shared by `cog build`, `cog debug` and the run commands. */
export interface BaseImageFlags {
  /** `--use-cog-base-image`: undefined = auto (use it when it exists), true = required, false = never. */
  useCogBaseImage?: boolean | undefined;
  /** `--use-cuda-base-image`: false makes GPU builds use python:X-slim. Default true. */
  useCudaBaseImage?: boolean | undefined;
}

export interface PlanModelOptions extends BaseImageFlags {
  /** Where to start looking for cog.yaml. */
  cwd: string;
  /** Config file name or path (`-f`). Default `cog.yaml`. */
  configFile?: string | undefined;
  /** Environment for COG_CA_CERT and COG_REGISTRY_HOST. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Copy the code into the image (default true; false for run/serve/exec, which mount it). */
  includeSource?: boolean;
  /** Image name (`-t`); default cog.yaml `image`, else `cog-<dirname>`. */
  tag?: string | undefined;
  /** Files at least this big get layers of their own. Default 10 MiB. */
  weightsThresholdBytes?: number | undefined;
  /** `--dockerfile`: build this Dockerfile as it is instead of generating one. */
  dockerfile?: string | undefined;
  /**
   * Describe the predictor with an OpenAPI schema (`cog build`; `cog debug` skips it). The schema
   * comes from `openapiSchemaFile`, else `COG_OPENAPI_SCHEMA`, else the Python source, statically.
   */
  withSchema?: boolean;
  /** `--openapi-schema`: a schema file to use as it is. */
  openapiSchemaFile?: string | undefined;
  /**
   * Whether an image can be used as a base (present in the local engine or its registry). Asked
   * only for a cog-base image that is a valid configuration. Default: never (no I/O).
   */
  imageAvailable?: (image: string) => Promise<boolean>;
}

/** Everything decided before the engine is touched; `cog debug` prints it, `cog build` builds it. */
export interface ModelPlan {
  config: Config;
  /** The image name the build produces. */
  image: string;
  /** The weights image and its Dockerfile, when the project has large files. */
  weights: { image: string; files: WeightFile[]; dockerfile: string; dockerignore: string } | undefined;
  frameworks: Frameworks;
  /** Resolved CUDA and cuDNN (GPU builds; the user's values for CPU builds). */
  cuda: string | undefined;
  cudnn: string | undefined;
  base: BaseImageChoice;
  /** The lines of the rewritten requirements file. */
  requirements: string[];
  /**
   * How many layers at the end of the image hold the code (the `COPY . /src`, and the `RUN cp` of
   * a config file with another name); undefined when unknown (`--dockerfile`).
   */
  codeLayers: number | undefined;
  /** Runtime wheels (COG_SDK_WHEEL / COGLET_WHEEL files) to stage into the build directory. */
  stagedWheels: Array<{ source: string; name: string }>;
  /** The OpenAPI schema as JSON text (the label's value and `.cog/openapi_schema.json`). */
  schema: string | undefined;
  /** `--secret` values the build needs besides the user's (package-index settings). */
  secrets: string[];
  /** Local wheels/sdists to stage into the build directory. */
  localArtifacts: StagedArtifact[];
  build: BuildPlan;
  warnings: string[];
}

/**
 * cog.yaml → config → requirements → CUDA/cuDNN → base image → Dockerfile. Pure but for reading
 * the project's files and the one availability question about a cog-base image.
 */
export async function planModel(options: PlanModelOptions): Promise<ModelPlan> {
  const env = options.env ?? process.env;
  const found = findConfigFile(options.cwd, options.configFile);
  const loaded = loadConfig(found);
  const config = loaded.config;
  const requirements = readRequirements(config);
  const artifacts = planLocalArtifacts(requirements.lines, { requirementsDir: requirements.directory, projectDir: config.projectDir });
  const frameworks = detectFrameworks(artifacts.lines);
  const input: CompatInput = {
    gpu: config.build.gpu,
    cuda: config.build.cuda,
    cudnn: config.build.cudnn,
    pythonVersion: config.build.pythonVersion ?? '3.13',
    frameworks,
  };
  const cuda = resolveCuda(input);
  const registry = env.COG_REGISTRY_HOST || defaultCogBaseRegistry;
  const cogBaseImage = await availableCogBase(input, cuda.cuda, registry, options, parseImageMirrors(env.COG_IMAGE_MIRRORS));
  const mirrors = parseImageMirrors(env.COG_IMAGE_MIRRORS);
  const chosen = chooseBaseImage(cuda, input, {
    useCogBaseImage: options.useCogBaseImage,
    useCudaBaseImage: options.useCudaBaseImage,
    cogBaseRegistry: registry,
    cogBaseAvailable: (image) => image === cogBaseImage,
  });
  const base = { ...chosen, image: mirroredImage(chosen.image, mirrors) };
  const rewritten = rewriteRequirements(artifacts.lines, { gpu: config.build.gpu, cuda: cuda.cuda });
  const userIgnorePath = path.join(config.projectDir, '.dockerignore');
  const userIgnore = existsSync(userIgnorePath) ? readFileSync(userIgnorePath, 'utf8') : undefined;
  // Upstream's order: -t, cog.yaml image, cog.yaml model, then the folder's name.
  const image = options.tag ?? config.image ?? config.model ?? defaultImageName(config.projectDir);
  const weightsPlan = options.includeSource === false ? undefined : planWeights(config, image, userIgnore, options.weightsThresholdBytes);
  const weights = weightsPlan?.plan;
  const packageIndex = indexSecretsFromEnv(env);
  const runtime = runtimeInstalls(config, env, options.cwd);
  const schemaWarnings: string[] = [];
  const schema = options.withSchema
    ? await predictorSchema(config, { givenFile: options.openapiSchemaFile ?? env.COG_OPENAPI_SCHEMA, cwd: options.cwd, warnings: schemaWarnings })
    : undefined;
  const generated = generateBuildPlan(config, {
    base,
    breakSystemPackages: breakSystemPackages(base, cuda.cuda),
    requirements: rewritten.lines,
    localArtifacts: artifacts.artifacts.length > 0,
    caCert: env.COG_CA_CERT ? readCaCert(env.COG_CA_CERT) : undefined,
    userDockerignore: userIgnore,
    includeSource: options.includeSource,
    configFileName: path.basename(found.file),
    weights: weights && { image: weights.image, layers: weights.layers },
    packageIndex,
    runtime,
    withSchema: schema !== undefined,
  });
  const build = options.dockerfile ? userDockerfilePlan(path.resolve(options.cwd, options.dockerfile), generated) : generated;
  return {
    config,
    image,
    weights: weights && !options.dockerfile ? { image: weights.image, files: weights.files, ...weightsDockerfile(weights.layers) } : undefined,
    schema,
    stagedWheels: runtime.flatMap((install) => (install.staged ? [install.staged] : [])),
    secrets: indexSecretArgs(packageIndex),
    codeLayers: options.dockerfile ? undefined : options.includeSource === false ? 0 : path.basename(found.file) === 'cog.yaml' ? 1 : 2,
    frameworks,
    cuda: cuda.cuda,
    cudnn: cuda.cudnn,
    base,
    requirements: rewritten.lines,
    localArtifacts: artifacts.artifacts,
    build,
    warnings: [
      ...loaded.warnings,
      ...schemaWarnings,
      ...requirements.warnings,
      ...cuda.warnings,
      ...rewritten.warnings,
      ...base.warnings,
      ...(weightsPlan?.warnings ?? []),
      ...build.warnings,
    ],
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
function runtimeInstalls(config: Config, env: NodeJS.ProcessEnv, cwd: string): RuntimeInstall[] {
  const sdk = env.COG_SDK_WHEEL ? parseWheelSource(env.COG_SDK_WHEEL, 'cog', cwd) : undefined;
  const coglet = env.COGLET_WHEEL ? cogletInstall(parseWheelSource(env.COGLET_WHEEL, 'coglet', cwd)) : undefined;
  return [cogInstall(sdk, config.build.sdkVersion), ...(coglet ? [coglet] : [])];
}

/**
 * The predictor's schema: a given file (checked to be JSON), or read statically from the Python
 * source. A config that names no predictor cannot be built into a model, as upstream refuses it.
 */
async function predictorSchema(config: Config, options: { givenFile: string | undefined; cwd: string; warnings: string[] }): Promise<string | undefined> {
  const { givenFile, cwd } = options;
  if (givenFile) {
    const file = path.resolve(cwd, givenFile);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
      JSON.parse(text);
    } catch (error) {
      throw new UserError(`OpenAPI schema ${file} is not a readable JSON file: ${(error as Error).message}`, { cause: error });
    }
    return text.trim();
  }
  if (!config.predict && !config.train) {
    // Upstream's sentence, word for word; an image without a predictor serves nothing.
    throw new UserError(`no predict or train reference found in ${path.basename(config.file)}`, {
      hint: 'add run: "run.py:Runner" (or the older predict: "predict.py:Predictor") to cog.yaml; `cog exec` runs commands without one',
    });
  }
  // Loaded on use: the Python grammar is only needed when a build describes its predictor.
  const { generateSchemaJson } = await import('../schema/index.js');
  const { json } = await generateSchemaJson({
    projectDir: config.projectDir,
    predict: config.predict,
    train: config.train,
    onWarning: (message) => options.warnings.push(message),
  });
  return json;
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

/** The cog-base image this build would use, if it is available; undefined when not asked or not there. */
async function availableCogBase(
  input: CompatInput,
  cuda: string | undefined,
  registry: string,
  options: PlanModelOptions,
  mirrors: Map<string, string>,
): Promise<string | undefined> {
  if (options.useCogBaseImage === false || !options.imageAvailable) return undefined;
  const tag = cogBaseTagFor({ cuda, pythonVersion: pythonMinor(input.pythonVersion), torch: input.frameworks.torch || undefined });
  if (!tag) return undefined;
  const image = `${registry}/cog-base:${tag}`;
  // The mirror is where it would be pulled from, so that is where to look.
  return (await options.imageAvailable(mirroredImage(image, mirrors))) ? image : undefined;
}
