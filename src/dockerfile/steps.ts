import type { Config } from '../config/types.js';
import { localArtifactsContainerDir, localArtifactsStagingDir } from '../requirements/local-artifacts.js';
import { indexPrefix, type IndexSecret } from './package-index.js';
import type { RuntimeInstall } from './runtime-wheels.js';
import { buildDirName, uvVersion } from './plan.js';

/**
 * Dockerfile fragments, each a list of lines. generate.ts puts them in order; keeping them here
 * keeps that order readable at a glance.
 */

const caBundle = '/etc/ssl/certs/ca-certificates.crt';
const aptCache = '--mount=type=cache,target=/var/cache/apt,sharing=locked';

/** Packages already in every cog-base image (upstream's list); asking for them again is a no-op. */
export const cogBasePackages = new Set([
  'build-essential', 'cmake', 'curl', 'ffmpeg', 'findutils', 'g++', 'gcc', 'git', 'libavcodec-dev',
  'libcairo2-dev', 'libfontconfig1', 'libgirepository1.0-dev', 'libgl1', 'libglx-mesa0', 'libglib2.0-0',
  'libopencv-dev', 'libsm6', 'libsndfile1', 'libssl-dev', 'libunistring-dev', 'libxext6', 'libxrender1',
  'sox', 'unzip', 'wget', 'zip', 'zstd',
]);

export function preamble(): string[] {
  return [
    'ENV DEBIAN_FRONTEND=noninteractive',
    'ENV PYTHONUNBUFFERED=1',
    'ENV LD_LIBRARY_PATH=$LD_LIBRARY_PATH:/usr/lib/x86_64-linux-gnu:/usr/local/nvidia/lib64:/usr/local/nvidia/bin',
    'ENV NVIDIA_DRIVER_CAPABILITIES=all',
  ];
}

/** Before anything that uses the network, so pip/uv trust a TLS-inspecting proxy. */
export function caCertSteps(): string[] {
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
export function tiniSteps(): string[] {
  return [
    `RUN ${aptCache} apt-get update -qq && apt-get install -qqy --no-install-recommends tini && rm -rf /var/lib/apt/lists/* && ln -sf /usr/bin/tini /sbin/tini`,
    'ENTRYPOINT ["/sbin/tini", "--"]',
  ];
}

export function aptInstall(packages: string[]): string[] {
  if (packages.length === 0) return [];
  return [`RUN ${aptCache} apt-get update -qq && apt-get install -qqy ${packages.join(' ')} && rm -rf /var/lib/apt/lists/*`];
}

/**
 * uv comes from the Python package index (its wheel carries the binary), not from its container
 * image: that works wherever PyPI or a mirror of it is reachable, including air-gapped networks.
 * PIP_BREAK_SYSTEM_PACKAGES lets it install on bases whose Python is marked externally managed
 * (Ubuntu 24.04); pips too old to know the setting ignore it.
 */
export function uvSteps(index: IndexSecret[] = []): string[] {
  const { mounts, env } = indexPrefix(index, 'pip');
  return [
    `RUN --mount=type=cache,target=/root/.cache/pip ${mounts}${env}PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --disable-pip-version-check --root-user-action=ignore uv==${uvVersion}`,
    // Copy mode: the uv cache is a BuildKit cache mount on another filesystem, hard links fail.
    'ENV UV_SYSTEM_PYTHON=true UV_LINK_MODE=copy',
  ];
}

/**
 * nvidia/cuda images carry no Python: the OS's python3-pip bootstraps uv, then uv installs the
 * requested Python (from `UV_PYTHON_INSTALL_MIRROR` when set) and links it where Cog expects it.
 */
export function cudaPythonSteps(pythonVersion: string, index: IndexSecret[] = []): string[] {
  const { mounts, env } = indexPrefix(index, 'uv');
  return [
    `RUN ${aptCache} apt-get update -qq && apt-get install -qqy --no-install-recommends wget curl xz-utils git ca-certificates python3-pip && rm -rf /var/lib/apt/lists/*`,
    ...uvSteps(index),
    `RUN ${mounts}${env}uv python install ${pythonVersion} && ln -sf $(uv python find ${pythonVersion}) /usr/bin/python3 && ln -sf $(uv python find ${pythonVersion}) /usr/local/bin/python`,
    `ENV UV_PYTHON=${pythonVersion}`,
    'ENV PATH="/usr/local/bin:$PATH"',
  ];
}

export function localArtifactSteps(): string[] {
  return [`COPY ${buildDirName}/${localArtifactsStagingDir}/ ${localArtifactsContainerDir}/`];
}

export function requirementsSteps(breakSystem: boolean, index: IndexSecret[] = []): string[] {
  const { mounts, env } = indexPrefix(index, 'uv');
  return [
    `COPY ${buildDirName}/requirements.txt /tmp/requirements.txt`,
    `RUN --mount=type=cache,target=/root/.cache/uv ${mounts}${env}uv pip install${breakSystem ? ' --break-system-packages' : ''} -r /tmp/requirements.txt`,
  ];
}

/**
 * The Cog runtime (`cog`, which brings `coglet`), after the user's packages, so changing the
 * runtime never rebuilds an expensive dependency layer. A staged wheel is copied in first.
 */
export function cogRuntimeSteps(installs: RuntimeInstall[], breakSystem: boolean, index: IndexSecret[] = []): string[] {
  const { mounts, env } = indexPrefix(index, 'uv');
  return installs.flatMap((install) => [
    ...(install.staged ? [`COPY ${buildDirName}/${install.staged.name} /tmp/${install.staged.name}`] : []),
    `RUN --mount=type=cache,target=/root/.cache/uv ${mounts}${env}uv pip install${breakSystem ? ' --break-system-packages' : ''}${install.pre ? ' --pre' : ''} ${install.spec}`,
  ]);
}

export function ldconfigSteps(): string[] {
  return ['RUN find / -type f -name "*python*.so" -not -path "/proc/*" -printf "%h\\n" | sort -u > /etc/ld.so.conf.d/cog.conf && ldconfig'];
}

export function runSteps(steps: Config['build']['run']): string[] {
  return steps.map((step) => {
    const mounts = step.mounts.map((m) => `--mount=type=secret,id=${m.id},target=${m.target} `).join('');
    return `RUN ${mounts}${step.command}`;
  });
}

/**
 * One ENV line, keys sorted as upstream. Values are quoted (upstream's unquoted values break on
 * spaces); `$VAR` still expands, as it does upstream.
 */
export function environmentSteps(entries: Config['environment']): string[] {
  if (entries.length === 0) return [];
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return [`ENV ${sorted.map((e) => `${e.name}=${quote(e.value)}`).join(' ')}`];
}

export function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}
