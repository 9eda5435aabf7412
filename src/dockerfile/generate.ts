import type { Config } from '../config/types.js';
import { NotYetAvailableError } from '../errors.js';
import { buildDirName, uvVersion, type BuildPlan } from './plan.js';

export interface GenerateOptions {
  /** Requirement lines to install (already read and rewritten). */
  requirements: string[];
  /** PEM bundle to trust during the build (`COG_CA_CERT`), if any. */
  caCert?: string | undefined;
  /** The project's .dockerignore text, if it has one. */
  userDockerignore?: string | undefined;
  /**
   * Copy the project into /src as the last step. Default true; false for run/serve/exec, which
   * mount the source instead and so reuse every layer of a prior build.
   */
  includeSource?: boolean;
}

const caBundle = '/etc/ssl/certs/ca-certificates.crt';

/**
 * The Dockerfile for a CPU model on python:X-slim, as a pure function of the config. Layer order
 * follows upstream (spec build.md §1.4): what changes least comes first, the code last, so a code
 * edit rebuilds one small layer. Uses only what BuildKit's built-in Dockerfile frontend supports:
 * no `# syntax=` line, which would make every build pull a frontend image.
 */
export function generateBuildPlan(config: Config, options: GenerateOptions): BuildPlan {
  if (config.build.gpu) throw new NotYetAvailableError('gpu: true (CUDA base images)', 3);
  const pythonVersion = config.build.pythonVersion ?? '3.13';
  const baseImage = `python:${pythonVersion}-slim`;
  const files: Record<string, string> = {};
  const lines: string[] = [`FROM ${baseImage}`, ...preamble()];

  if (options.caCert) {
    files['cog-ca-cert.crt'] = options.caCert;
    lines.push(...caCertSteps());
  }
  lines.push(...tiniSteps());
  if (config.environment.length > 0) lines.push(environmentLine(config.environment));
  if (config.build.systemPackages.length > 0) lines.push(aptInstall(config.build.systemPackages));
  lines.push(...uvSteps());
  if (options.requirements.length > 0) {
    files['requirements.txt'] = `${options.requirements.join('\n')}\n`;
    lines.push(
      `COPY ${buildDirName}/requirements.txt /tmp/requirements.txt`,
      'RUN --mount=type=cache,target=/root/.cache/uv uv pip install -r /tmp/requirements.txt',
    );
  }
  lines.push(cogRuntimeStep(config.build.sdkVersion));
  lines.push(
    'RUN find / -type f -name "*python*.so" -not -path "/proc/*" -printf "%h\\n" | sort -u > /etc/ld.so.conf.d/cog.conf && ldconfig',
  );
  for (const step of config.build.run) lines.push(runStep(step));
  lines.push('WORKDIR /src', 'EXPOSE 5000');
  if (config.predict) lines.push(`ENV COG_PREDICT_TYPE_STUB=${quote(config.predict)}`);
  if (config.train) lines.push(`ENV COG_TRAIN_TYPE_STUB=${quote(config.train)}`);
  if (config.concurrencyMax !== undefined) lines.push(`ENV COG_MAX_CONCURRENCY=${config.concurrencyMax}`);
  lines.push('CMD ["python", "-m", "cog.server.http"]');
  if (options.includeSource ?? true) lines.push('COPY . /src');

  return {
    baseImage,
    dockerfile: `${lines.join('\n')}\n`,
    files,
    dockerignore: dockerignore(options.userDockerignore, Object.keys(files)),
    warnings: [],
  };
}

function preamble(): string[] {
  return [
    'ENV DEBIAN_FRONTEND=noninteractive',
    'ENV PYTHONUNBUFFERED=1',
    'ENV LD_LIBRARY_PATH=$LD_LIBRARY_PATH:/usr/lib/x86_64-linux-gnu:/usr/local/nvidia/lib64:/usr/local/nvidia/bin',
    'ENV NVIDIA_DRIVER_CAPABILITIES=all',
  ];
}

/** Before anything that uses the network, so pip/uv trust a TLS-inspecting proxy. */
function caCertSteps(): string[] {
  return [
    `COPY ${buildDirName}/cog-ca-cert.crt /usr/local/share/ca-certificates/cog-ca-cert.crt`,
    `RUN (update-ca-certificates >/dev/null 2>&1 || true) && cat /usr/local/share/ca-certificates/cog-ca-cert.crt >> ${caBundle}`,
    `ENV SSL_CERT_FILE=${caBundle}`,
    `ENV REQUESTS_CA_BUNDLE=${caBundle}`,
  ];
}

/**
 * tini as PID 1 (signals, zombie reaping), from the OS packages rather than upstream's download
 * from GitHub: one less host to reach, and the package mirror is there wherever apt works.
 * `/sbin/tini` is kept as upstream's path.
 */
function tiniSteps(): string[] {
  return [
    'RUN --mount=type=cache,target=/var/cache/apt,sharing=locked apt-get update -qq && apt-get install -qqy --no-install-recommends tini && rm -rf /var/lib/apt/lists/* && ln -sf /usr/bin/tini /sbin/tini',
    'ENTRYPOINT ["/sbin/tini", "--"]',
  ];
}

function aptInstall(packages: string[]): string {
  return `RUN --mount=type=cache,target=/var/cache/apt,sharing=locked apt-get update -qq && apt-get install -qqy ${packages.join(' ')} && rm -rf /var/lib/apt/lists/*`;
}

/**
 * uv comes from the Python package index (its wheel carries the binary), not from its container
 * image: that works wherever PyPI or a mirror of it is reachable, including air-gapped networks.
 */
function uvSteps(): string[] {
  return [
    `RUN --mount=type=cache,target=/root/.cache/pip python -m pip install --disable-pip-version-check --root-user-action=ignore uv==${uvVersion}`,
    // Copy mode: the uv cache is a BuildKit cache mount on another filesystem, hard links fail.
    'ENV UV_SYSTEM_PYTHON=true UV_LINK_MODE=copy',
  ];
}

/** The Cog runtime (`cog` from PyPI, which brings `coglet`), after the user's packages. */
function cogRuntimeStep(sdkVersion: string | undefined): string {
  const pre = sdkVersion === 'prerelease' ? ' --pre' : '';
  const spec = sdkVersion && sdkVersion !== 'prerelease' ? `cog==${sdkVersion}` : 'cog';
  return `RUN --mount=type=cache,target=/root/.cache/uv uv pip install${pre} ${spec}`;
}

function runStep(step: Config['build']['run'][number]): string {
  const mounts = step.mounts.map((m) => `--mount=type=secret,id=${m.id},target=${m.target} `).join('');
  return `RUN ${mounts}${step.command}`;
}

/**
 * One ENV line, keys sorted as upstream. Values are quoted (upstream's unquoted values break on
 * spaces); `$VAR` still expands, as it does upstream.
 */
function environmentLine(entries: Config['environment']): string {
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return `ENV ${sorted.map((e) => `${e.name}=${quote(e.value)}`).join(' ')}`;
}

function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * The ignore file BuildKit reads for our Dockerfile. `.cog/` never goes into the image except
 * the generated files the Dockerfile copies (they are tiny).
 */
function dockerignore(user: string | undefined, generated: string[]): string {
  const ours = ['.cog', ...generated.map((name) => `!${buildDirName}/${name}`)];
  const userPart = user ? `${user.trimEnd()}\n` : '';
  return `${userPart}# added by cogpack\n${ours.join('\n')}\n`;
}
