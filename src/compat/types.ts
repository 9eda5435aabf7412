/**
 * The contract of compat/: what the rest of cogpack asks of the compatibility matrix.
 * Implementations live beside this file (resolve.ts, base-image.ts, …); callers import these
 * types only from here.
 */

/** Framework versions found in the requirements (see requirements/frameworks.ts). */
export interface Frameworks {
  /**
   * torch: the pinned version (`2.3.0`, `2.0.1+cu118`), or the version the matrix picks for a range
   * (`>=2.0,<2.5`), or '' when torch is listed without a version. Undefined when torch is absent.
   */
  torch?: string | undefined;
  /** The torch requirement's specifier text as written (`==2.3.0`, `>=2.0,<2.5`, ''), for messages. */
  torchSpecifier?: string | undefined;
  /** tensorflow: as for torch. */
  tensorflow?: string | undefined;
  tensorflowSpecifier?: string | undefined;
  /** torchvision: as for torch (no specifier text kept). */
  torchvision?: string | undefined;
}

export interface CompatInput {
  gpu: boolean;
  /** `build.cuda` as written, if set. */
  cuda?: string | undefined;
  /** `build.cudnn` as written, if set. */
  cudnn?: string | undefined;
  /** `build.python_version` as written (e.g. "3.12" or "3.12.1"). */
  pythonVersion: string;
  frameworks: Frameworks;
}

/** The outcome of CUDA/cuDNN resolution (spec cog-yaml.md §5.3). */
export interface CudaResolution {
  /** Resolved CUDA: the user's string verbatim when set, else `x.y`. Undefined for CPU builds without `cuda:`. */
  cuda: string | undefined;
  /** Resolved cuDNN major (e.g. "8", "9"). */
  cudnn: string | undefined;
  warnings: string[];
}

/** Which base image family a build uses (spec cog-yaml.md §6.1). */
export type BaseImageKind = 'cog-base' | 'cuda' | 'python';

export interface BaseImageChoice {
  kind: BaseImageKind;
  /** Full image reference, e.g. `r8.im/cog-base:cuda12.1-python3.11-torch2.3.1`, `nvidia/cuda:12.1.1-cudnn8-devel-ubuntu22.04`, `python:3.12-slim`. */
  image: string;
  /** For cog-base: the tag alone (`cuda12.1-python3.11-torch2.3.1`). */
  cogBaseTag?: string | undefined;
  warnings: string[];
}

export interface BaseImageOptions {
  /** `--use-cog-base-image`: undefined = auto (try, fall back with a warning), true = required, false = never. */
  useCogBaseImage?: boolean | undefined;
  /** `--use-cuda-base-image`: false = GPU builds use python:X-slim. Default true. */
  useCudaBaseImage?: boolean | undefined;
  /**
   * Whether a cog-base image reference can be used (present locally or in its registry). Asked
   * at most once, only for a tag that is a valid configuration.
   */
  cogBaseAvailable: (image: string) => boolean | Promise<boolean>;
  /** Registry host of cog-base images: `COG_REGISTRY_HOST`, default `r8.im`. */
  cogBaseRegistry?: string | undefined;
}
