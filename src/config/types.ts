import type { EnvironmentVariable } from './environment.js';
import type { Weight } from './weights.js';

export type { EnvironmentVariable } from './environment.js';
export type { Weight, WeightSource } from './weights.js';

/** A secret mounted while one `build.run` command runs (`RUN --mount=type=secret,id=…,target=…`). */
export interface RunMount {
  type: 'secret';
  /** The secret's id, as given to `cog build --secret id=<id>,…`. */
  id: string;
  /** Where the secret file appears during the command. */
  target: string;
}

/** A `build.run` step after normalisation: always a command with its (secret) mounts. */
export interface RunStep {
  /** The command, trimmed; never empty, never more than one line. */
  command: string;
  mounts: RunMount[];
}

/** cog.yaml after validation and normalisation: one shape per concept, paths absolute. */
export interface Config {
  /** Absolute path of the config file. */
  file: string;
  /** Absolute path of the project directory. */
  projectDir: string;
  build: {
    /** As written and trimmed, e.g. "3.11" or "3.11.4"; undefined when `build` is absent or null. */
    pythonVersion: string | undefined;
    gpu: boolean;
    /** As written, e.g. "12.4"; format-checked (major ≥ 11), not yet matched against the CUDA matrix. */
    cuda: string | undefined;
    /** As written, e.g. "9". */
    cudnn: string | undefined;
    /** Absolute path of the requirements file, if any; it exists. */
    pythonRequirements: string | undefined;
    /** Deprecated inline requirement lines, empty items dropped. */
    pythonPackages: string[];
    /** APT package names, empty items dropped. */
    systemPackages: string[];
    /** `build.run` steps followed by the deprecated `build.pre_install` ones (upstream's order). */
    run: RunStep[];
    /** As written: a PEP 440 version or "prerelease". */
    sdkVersion: string | undefined;
  };
  /** The predictor reference, `file.py:Class` (top-level `run`, or deprecated `predict`). */
  predict: string | undefined;
  train: string | undefined;
  image: string | undefined;
  /** A bare repository (no tag or digest); required when `weights` is not empty. */
  model: string | undefined;
  /** NAME=value entries in file order; names unique and not reserved, values verbatim. */
  environment: EnvironmentVariable[];
  /** Deprecated `concurrency.max` (≥ 1). */
  concurrencyMax: number | undefined;
  /** `weights:` entries, names and targets unique, targets absolute and disjoint. */
  weights: Weight[];
}

export interface LoadedConfig {
  config: Config;
  /** Located, human-readable warnings (deprecations, unknown or removed keys). */
  warnings: string[];
}
