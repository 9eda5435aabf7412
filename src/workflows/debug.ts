import { createDockerCli, dockerBinary, type DockerCli } from '../docker/process.js';
import { processEnv, type Env } from '../settings/env.js';
import { imageAvailability } from './image-available.js';
import { planBuild, type ModelPlan } from './plan.js';
import { readProject } from './project.js';
import { resolveModel, type BaseImageFlags } from './resolve.js';

export interface DebugOptions extends BaseImageFlags {
  cwd: string;
  configFile?: string | undefined;
  /** Default the process's. */
  env?: Env;
  /** Used only to ask whether a cog-base image is present locally; absent engine is fine. */
  docker?: DockerCli;
  /** Overrides the availability check (tests). */
  imageAvailable?: (image: string) => Promise<boolean>;
}

/**
 * The stable `cog debug --json` document (docs/cli-json.md): what a build would use, without
 * building. Field names are a public interface: add, never rename.
 */
export interface DebugReport {
  baseImage: string;
  baseImageKind: 'cog-base' | 'cuda' | 'python';
  pythonVersion: string;
  gpu: boolean;
  cuda: string | null;
  cudnn: string | null;
  torch: string | null;
  tensorflow: string | null;
  requirements: string[];
  warnings: string[];
  dockerfile: string;
}

/** `cog debug`: plan the build of the project in `cwd` (without its schema) and report it. */
export async function debugModel(options: DebugOptions): Promise<DebugReport> {
  const env = options.env ?? processEnv();
  const imageAvailable = options.imageAvailable ?? imageAvailability({ docker: options.docker ?? createDockerCli(dockerBinary(env)), env });
  const project = await readProject({ cwd: options.cwd, configFile: options.configFile, schema: false });
  const resolution = await resolveModel(project, { env, useCogBaseImage: options.useCogBaseImage, useCudaBaseImage: options.useCudaBaseImage, imageAvailable });
  return toReport(planBuild(resolution, { cwd: options.cwd, env }));
}

export function toReport(model: ModelPlan): DebugReport {
  const { config, python, cuda, cudnn, frameworks, base, requirements } = model.resolution;
  return {
    baseImage: base.image,
    baseImageKind: base.kind,
    pythonVersion: python,
    gpu: config.build.gpu,
    cuda: cuda ?? null,
    cudnn: cudnn ?? null,
    torch: frameworks.torch || null,
    tensorflow: frameworks.tensorflow || null,
    requirements,
    warnings: model.warnings,
    dockerfile: model.build.dockerfile,
  };
}
