import path from 'node:path';
import { splitEnvironmentEntry } from './environment.js';
import type { ConfigFile, RunItemFile, WeightFile } from './schema.js';
import type { Config, RunStep } from './types.js';
import { cleanTarget, type Weight } from './weights.js';

/** A valid cog.yaml file → Config: absolute paths, defaults, one shape per concept. */
export function normalise(file: ConfigFile, where: { file: string; projectDir: string }): Config {
  const build = file.build ?? undefined;
  const requirements = nonEmpty(build?.python_requirements);
  return {
    file: where.file,
    projectDir: where.projectDir,
    build: {
      pythonVersion: nonEmpty(build?.python_version?.trim()),
      gpu: build?.gpu ?? false,
      cuda: nonEmpty(build?.cuda),
      cudnn: nonEmpty(build?.cudnn),
      pythonRequirements: requirements ? path.resolve(where.projectDir, requirements) : undefined,
      pythonPackages: presentItems(build?.python_packages),
      systemPackages: presentItems(build?.system_packages),
      run: [...(build?.run ?? []), ...presentItems(build?.pre_install)].map(toRunStep),
      sdkVersion: nonEmpty(build?.sdk_version),
    },
    predict: nonEmpty(file.run) ?? nonEmpty(file.predict),
    train: nonEmpty(file.train),
    image: nonEmpty(file.image),
    model: nonEmpty(file.model),
    environment: (file.environment ?? []).map(splitEnvironmentEntry),
    concurrencyMax: file.concurrency?.max,
    weights: (file.weights ?? []).map(toWeight),
  };
}

/** Upstream treats an empty string like an absent key. */
function nonEmpty(value: string | null | undefined): string | undefined {
  return value === null || value === undefined || value === '' ? undefined : value;
}

/** An empty list item (`-` alone, or `""`) means nothing; upstream passes it on as "". */
function presentItems(items: ReadonlyArray<string | null> | null | undefined): string[] {
  return (items ?? []).filter((item): item is string => item !== null && item.trim() !== '');
}

function toRunStep(item: RunItemFile): RunStep {
  if (typeof item === 'string') return { command: item.trim(), mounts: [] };
  return {
    command: item.command.trim(),
    mounts: (item.mounts ?? []).map((mount) => ({ type: mount.type, id: mount.id, target: mount.target })),
  };
}

function toWeight(weight: WeightFile): Weight {
  const sources = Array.isArray(weight.source) ? weight.source : [weight.source];
  return {
    name: weight.name,
    target: cleanTarget(weight.target),
    sources: sources.map((source) => ({ uri: source.uri, include: source.include ?? [], exclude: source.exclude ?? [] })),
  };
}
