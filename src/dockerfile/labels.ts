import path from 'node:path';
import type { Config } from '../config/types.js';
import type { SourceInfo } from '../vcs/git.js';

export interface LabelInputs {
  config: Config;
  /** Resolved CUDA/cuDNN, recorded in the config label as upstream does. */
  cuda: string | undefined;
  cudnn: string | undefined;
  /** cogpack's version (upstream records its CLI version here too). */
  cogVersion: string;
  /** The OpenAPI schema as JSON text, when one was generated. */
  openapiSchema?: string | undefined;
  /** `pip freeze` of the built image. */
  pipFreeze: string;
  /** tini is PID 1 (python-slim and nvidia/cuda bases; cog-base images bring their own init). */
  hasInit: boolean;
  source: SourceInfo;
  /** Build time, RFC 3339. */
  created: string;
}

/** The image labels upstream Cog sets (spec build.md §2.4), plus `org.opencontainers.image.created`. */
export function imageLabels(inputs: LabelInputs): Record<string, string> {
  const labels: Record<string, string> = {
    'run.cog.version': inputs.cogVersion,
    'run.cog.config': JSON.stringify(configLabel(inputs.config, inputs.cuda, inputs.cudnn)),
  };
  if (inputs.openapiSchema) labels['run.cog.openapi_schema'] = inputs.openapiSchema;
  labels['run.cog.pip_freeze'] = inputs.pipFreeze;
  if (inputs.hasInit) labels['run.cog.has_init'] = 'true';
  if (inputs.source.revision) labels['org.opencontainers.image.revision'] = inputs.source.revision;
  if (inputs.source.version) labels['org.opencontainers.image.version'] = inputs.source.version;
  labels['org.opencontainers.image.created'] = inputs.created;
  return labels;
}

/**
 * The effective config as upstream serialises it into `run.cog.config`: cog.yaml's fields with
 * empty ones left out, the predictor under `predict` (whether written as `run:` or `predict:`),
 * and the resolved CUDA/cuDNN. Readers (Replicate, `cog run IMAGE`) rely on this shape.
 */
export function configLabel(config: Config, cuda: string | undefined, cudnn: string | undefined): Record<string, unknown> {
  const build = config.build;
  const buildLabel = dropEmpty({
    gpu: build.gpu || undefined,
    cuda: cuda ?? build.cuda,
    cudnn: cudnn ?? build.cudnn,
    python_version: build.pythonVersion,
    python_requirements: build.pythonRequirements ? path.relative(config.projectDir, build.pythonRequirements) : undefined,
    python_packages: build.pythonPackages,
    system_packages: build.systemPackages,
    run: build.run.map((step) => (step.mounts.length ? { command: step.command, mounts: step.mounts } : step.command)),
    sdk_version: build.sdkVersion,
  });
  return dropEmpty({
    build: buildLabel,
    image: config.image,
    model: config.model,
    predict: config.predict,
    train: config.train,
    concurrency: config.concurrencyMax !== undefined ? { max: config.concurrencyMax } : undefined,
    environment: config.environment.map((e) => `${e.name}=${e.value}`),
    weights: config.weights?.length ? config.weights : undefined,
  });
}

function dropEmpty(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(record).filter(([, value]) => value !== undefined && value !== '' && !(Array.isArray(value) && value.length === 0)),
  );
}
