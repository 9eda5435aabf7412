/** A `build.run` step after normalisation: always a command with its (secret) mounts. */
export interface RunStep {
  command: string;
  mounts: Array<{ type: 'secret'; id: string; target: string }>;
}

/** cog.yaml after validation and normalisation: one shape per concept, paths absolute. */
export interface Config {
  /** Absolute path of the config file. */
  file: string;
  /** Absolute path of the project directory. */
  projectDir: string;
  build: {
    /** As written, e.g. "3.11" or "3.11.4"; undefined when `build` is absent. */
    pythonVersion: string | undefined;
    gpu: boolean;
    cuda: string | undefined;
    cudnn: string | undefined;
    /** Absolute path of the requirements file, if any. */
    pythonRequirements: string | undefined;
    /** Deprecated inline requirement lines. */
    pythonPackages: string[];
    systemPackages: string[];
    run: RunStep[];
    sdkVersion: string | undefined;
  };
  /** The predictor reference, `file.py:Class` (top-level `run`, or deprecated `predict`). */
  predict: string | undefined;
  train: string | undefined;
  image: string | undefined;
  model: string | undefined;
  /** KEY=VALUE entries in file order. */
  environment: Array<{ name: string; value: string }>;
  concurrencyMax: number | undefined;
}

export interface LoadedConfig {
  config: Config;
  warnings: string[];
}
