import { createDockerCli, type DockerCli } from '../docker/process.js';
import { imageAvailability } from './image-available.js';
import { planModel, type BaseImageFlags, type ModelPlan } from './plan.js';

export interface DebugOptions extends BaseImageFlags {
  cwd: string;
  configFile?: string | undefined;
  env?: NodeJS.ProcessEnv;
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

/** `cog debug`: plan the build of the project in `cwd` and report it. */
export async function debugModel(options: DebugOptions): Promise<DebugReport> {
  const imageAvailable = options.imageAvailable ?? imageAvailability({ docker: options.docker ?? createDockerCli() });
  const model = await planModel({ ...options, imageAvailable });
  return toReport(model);
}

export function toReport(model: ModelPlan): DebugReport {
  return {
    baseImage: model.base.image,
    baseImageKind: model.base.kind,
    pythonVersion: model.config.build.pythonVersion ?? '3.13',
    gpu: model.config.build.gpu,
    cuda: model.cuda ?? null,
    cudnn: model.cudnn ?? null,
    torch: model.frameworks.torch || null,
    tensorflow: model.frameworks.tensorflow || null,
    requirements: model.requirements,
    warnings: model.warnings,
    dockerfile: model.build.dockerfile,
  };
}
