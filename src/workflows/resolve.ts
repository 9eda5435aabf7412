import { chooseBaseImage } from '../compat/base-image.js';
import { defaultPythonVersion, resolveCuda } from '../compat/resolve.js';
import type { BaseImageChoice, CompatInput, Frameworks } from '../compat/types.js';
import type { Config } from '../config/types.js';
import { mirroredImage, parseImageMirrors } from '../registry/mirrors.js';
import { detectFrameworks } from '../requirements/frameworks.js';
import { planLocalArtifacts, type StagedArtifact } from '../requirements/local-artifacts.js';
import { readRequirements } from '../requirements/read.js';
import { rewriteRequirements } from '../requirements/rewrite.js';
import { readEnv, type Env } from '../settings/env.js';
import type { Project } from './project.js';

/** Base-image flags shared by `cog build`, `cog debug` and the run commands. */
export interface BaseImageFlags {
  /** `--use-cog-base-image`: undefined = auto (use it when it exists), true = required, false = never. */
  useCogBaseImage?: boolean | undefined;
  /** `--use-cuda-base-image`: false makes GPU builds use python:X-slim. Default true. */
  useCudaBaseImage?: boolean | undefined;
}

/**
 * What a model resolves to, worked out once per command from what the project stage read, and
 * handed to the plan: no later stage reads cog.yaml, the requirements or the predictor again, nor
 * decides a version, a base image or a default of its own.
 */
export interface Resolution {
  config: Config;
  /** `build.python_version`, else the default Python. */
  python: string;
  /** Resolved CUDA and cuDNN (GPU builds; the user's values for CPU builds). */
  cuda: string | undefined;
  cudnn: string | undefined;
  frameworks: Frameworks;
  /** The base image, named as it is pulled (after `COG_IMAGE_MIRRORS`). */
  base: BaseImageChoice;
  /** The requirements file's lines as the image installs them (torch indexes, local artifacts). */
  requirements: string[];
  /** Local wheels and sdists the requirements name, to stage into the build directory. */
  localArtifacts: StagedArtifact[];
  /** The predictor's OpenAPI schema as JSON text; undefined when the command asked for none. */
  schema: string | undefined;
  /** Every warning so far, in the order the user should read them: cog.yaml's first. */
  warnings: string[];
}

export interface ResolveOptions extends BaseImageFlags {
  /** COG_REGISTRY_HOST and COG_IMAGE_MIRRORS. */
  env: Env;
  /**
   * Whether an image can be used as a base (present in the local engine or its registry). Asked
   * at most once, only for a cog-base image that is a valid configuration. Default: never (no I/O).
   */
  imageAvailable?: (image: string) => Promise<boolean>;
}

/** Project → Resolution: requirements → frameworks → CUDA/cuDNN → base image. */
export async function resolveModel(project: Project, options: ResolveOptions): Promise<Resolution> {
  const { config } = project;
  const requirements = readRequirements(config);
  const artifacts = planLocalArtifacts(requirements.lines, { requirementsDir: requirements.directory, projectDir: config.projectDir });
  const frameworks = detectFrameworks(artifacts.lines);
  const python = config.build.pythonVersion ?? defaultPythonVersion;
  const input: CompatInput = { gpu: config.build.gpu, cuda: config.build.cuda, cudnn: config.build.cudnn, pythonVersion: python, frameworks };
  const cuda = resolveCuda(input);
  const mirrors = parseImageMirrors(readEnv('COG_IMAGE_MIRRORS', options.env));
  const { imageAvailable } = options;
  const chosen = await chooseBaseImage(cuda, input, {
    useCogBaseImage: options.useCogBaseImage,
    useCudaBaseImage: options.useCudaBaseImage,
    cogBaseRegistry: readEnv('COG_REGISTRY_HOST', options.env),
    // The mirror is where it would be pulled from, so that is where to look.
    cogBaseAvailable: (image) => (imageAvailable ? imageAvailable(mirroredImage(image, mirrors)) : false),
  });
  const base = { ...chosen, image: mirroredImage(chosen.image, mirrors) };
  const rewritten = rewriteRequirements(artifacts.lines, { gpu: config.build.gpu, cuda: cuda.cuda });
  return {
    config,
    python,
    cuda: cuda.cuda,
    cudnn: cuda.cudnn,
    frameworks,
    base,
    requirements: rewritten.lines,
    localArtifacts: artifacts.artifacts,
    schema: project.schema?.json,
    warnings: [...project.warnings, ...(project.schema?.warnings ?? []), ...requirements.warnings, ...cuda.warnings, ...rewritten.warnings, ...base.warnings],
  };
}
