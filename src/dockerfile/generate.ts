import type { BaseImageChoice } from '../compat/types.js';
import type { Config } from '../config/types.js';
import { localArtifactsStagingDir } from '../requirements/local-artifacts.js';
import type { WeightLayer } from '../weights/find.js';
import type { IndexSecret } from './package-index.js';
import { cogInstall, type RuntimeInstall } from './runtime-wheels.js';
import { buildDirName, schemaFileName, type BuildPlan } from './plan.js';
import { weightCopySteps, weightIgnoreLines } from './weights.js';
import {
  aptInstall, localArtifactSteps, caCertSteps, cogBasePackages, cogRuntimeSteps, cudaPythonSteps, environmentSteps, ldconfigSteps,
  preamble, quote, requirementsSteps, runSteps, tiniSteps, uvSteps,
} from './steps.js';

export interface GenerateOptions {
  /** The base image chosen by compat/ (cog-base, nvidia/cuda or python:X-slim). */
  base: BaseImageChoice;
  /** The Python version, as resolved (`build.python_version`, else the default). */
  pythonVersion: string;
  /** Add `--break-system-packages` to uv installs (uv-managed or externally managed Python). */
  breakSystemPackages: boolean;
  /** Requirement lines to install, already rewritten (torch index URLs and the like). */
  requirements: string[];
  /**
   * Local wheels/sdists are staged in `.cog/build/local_package_artifacts/` (the requirement lines
   * already point at their container paths). Default false.
   */
  localArtifacts?: boolean;
  /** PEM bundle to trust during the build (`COG_CA_CERT`), if any. */
  caCert?: string | undefined;
  /** The project's .dockerignore text, if it has one. */
  userDockerignore?: string | undefined;
  /**
   * Copy the project into /src as the last step. Default true; false for run/serve/exec, which
   * mount the source instead and so reuse every layer of a prior build.
   */
  includeSource?: boolean;
  /** The config file's name when it is not `cog.yaml` (`-f`): copied to /src/cog.yaml. */
  configFileName?: string | undefined;
  /** `.cog/openapi_schema.json` is staged: let it through to /src/.cog, where the runtime reads it. */
  withSchema?: boolean;
  /** How the Cog runtime is installed (COG_SDK_WHEEL / COGLET_WHEEL); default `cog` per build.sdk_version. */
  runtime?: RuntimeInstall[] | undefined;
  /** Package-index settings of the host, passed in as secrets (see package-index.ts). */
  packageIndex?: IndexSecret[] | undefined;
  /** Weight files in layers of their own, copied from the weights image (see weights.ts). */
  weights?: { image: string; layers: WeightLayer[] } | undefined;
}

/**
 * The Dockerfile for a model, as a pure function of the config and the resolution. Layer order
 * follows upstream (spec build.md §1.4/1.5): what changes least comes first, the code last, so a
 * code edit rebuilds one small layer. Uses only what BuildKit's built-in Dockerfile frontend
 * supports: no `# syntax=` line, which would make every build pull a frontend image.
 */
export function generateBuildPlan(config: Config, options: GenerateOptions): BuildPlan {
  const { base, breakSystemPackages: breakSystem } = options;
  const files: Record<string, string> = {};
  const onCogBase = base.kind === 'cog-base';
  const { pythonVersion } = options;
  const weights = options.weights && options.weights.layers.length > 0 && (options.includeSource ?? true) ? options.weights : undefined;
  const lines: string[] = [...(weights ? [`FROM ${weights.image} AS weights`] : []), `FROM ${base.image}`];

  if (!onCogBase) lines.push(...preamble());
  if (options.caCert) {
    files['cog-ca-cert.crt'] = options.caCert;
    lines.push(...caCertSteps());
  }
  if (!onCogBase) lines.push(...tiniSteps());
  lines.push(...environmentSteps(config.environment));
  const packages = onCogBase ? config.build.systemPackages.filter((p) => !cogBasePackages.has(p)) : config.build.systemPackages;
  lines.push(...aptInstall(packages));
  const index = options.packageIndex ?? [];
  if (base.kind === 'cuda') lines.push(...cudaPythonSteps(pythonVersion, index));
  else lines.push(...uvSteps(index));
  if (onCogBase && breakSystem) lines.push('RUN ln -sf /usr/bin/python3 /usr/local/bin/python');
  if (options.requirements.length > 0) {
    files['requirements.txt'] = `${options.requirements.join('\n')}\n`;
    if (options.localArtifacts) lines.push(...localArtifactSteps());
    lines.push(...requirementsSteps(breakSystem, index));
    // An artifact may depend on cog/coglet; the managed install below is the one that counts.
    if (options.localArtifacts) lines.push(`RUN uv pip uninstall${breakSystem ? ' --break-system-packages' : ''} cog coglet`);
  }
  const runtime = options.runtime ?? [cogInstall(undefined, config.build.sdkVersion)];
  lines.push(...cogRuntimeSteps(runtime, breakSystem, index));
  const stagedWheels = runtime.flatMap((install) => (install.staged ? [install.staged.name] : []));
  if (!onCogBase) lines.push(...ldconfigSteps());
  lines.push(...runSteps(config.build.run));
  // After everything slow and before the code: a code edit never re-uploads a weight.
  if (weights) lines.push(...weightCopySteps(weights.layers));
  lines.push('WORKDIR /src', 'EXPOSE 5000');
  if (config.predict) lines.push(`ENV COG_PREDICT_TYPE_STUB=${quote(config.predict)}`);
  if (config.train) lines.push(`ENV COG_TRAIN_TYPE_STUB=${quote(config.train)}`);
  if (config.concurrencyMax !== undefined) lines.push(`ENV COG_MAX_CONCURRENCY=${config.concurrencyMax}`);
  lines.push('CMD ["python", "-m", "cog.server.http"]');
  if (options.includeSource ?? true) {
    lines.push('COPY . /src');
    if (options.configFileName && options.configFileName !== 'cog.yaml') {
      lines.push(`RUN cp ${quote(`/src/${options.configFileName}`)} /src/cog.yaml`);
    }
  }

  return {
    baseImage: base.image,
    dockerfile: `${lines.join('\n')}\n`,
    files,
    dockerignore: dockerignore(
      options.userDockerignore,
      [...Object.keys(files), ...stagedWheels, ...(options.localArtifacts ? [localArtifactsStagingDir] : [])],
      weights ? weightIgnoreLines(weights.layers) : [],
      options.withSchema ?? false,
    ),
    warnings: [],
  };
}

/**
 * The ignore file BuildKit reads for our Dockerfile. `.cog/` never goes into the image except
 * the generated files the Dockerfile copies (they are tiny).
 */
function dockerignore(user: string | undefined, generated: string[], weightFiles: string[], withSchema: boolean): string {
  const ours = [
    '.cog',
    ...generated.map((name) => `!${buildDirName}/${name}`),
    ...(withSchema ? [`!${schemaFileName}`] : []),
    ...weightFiles,
  ];
  const userPart = user ? `${user.trimEnd()}\n` : '';
  return `${userPart}# added by cogpack\n${ours.join('\n')}\n`;
}
