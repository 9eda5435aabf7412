import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { UserError } from '../errors.js';
import type { DockerCli } from '../docker/process.js';
import type { Logger } from '../ui/logger.js';

/** The port the Cog runtime listens on inside the container. */
export const runtimePort = 5000;

export interface VolumeMount {
  source: string;
  target: string;
  readOnly?: boolean;
}

export interface PortMapping {
  hostIp: string;
  /** Omitted: the engine picks a free port. */
  hostPort?: number | undefined;
  containerPort: number;
}

/** What to run: everything `docker run` needs besides how it is attached. */
export interface ContainerSpec {
  image: string;
  /** A name, so the container can be removed even when `docker run` was interrupted before printing its id. Default: `cog-<random>`. */
  name?: string | undefined;
  /** KEY=VALUE environment entries, in order. */
  env?: string[];
  /** Docker `--gpus` value (`all`, a count, `device=0,1`); undefined: no GPUs. */
  gpus?: string | undefined;
  volumes?: VolumeMount[];
  workdir?: string | undefined;
  ports?: PortMapping[];
  /** `--add-host` entries (`host.docker.internal:host-gateway`). */
  extraHosts?: string[];
  /** Replaces the image's CMD. */
  command?: string[];
  /** Extra `docker run` arguments placed before the image (tests). */
  runArgs?: string[];
}

export type AttachMode =
  /** In the background, removed by us (`cog run`). */
  | { detach: true }
  /** In the foreground (`cog serve`, `cog exec`): stdin passed through, a TTY when there is one. */
  | { detach: false; interactive: boolean; tty: boolean };

/**
 * The project mounted at /src, as upstream mounts it for run, serve, exec and train. The container
 * runs as root, so what it writes there is root's: Python is told not to write `__pycache__` into
 * the project, which a user who is not root (a member of the `docker` group) could not delete.
 */
export function projectMount(projectDir: string): { volumes: VolumeMount[]; env: string[] } {
  return { volumes: [{ source: projectDir, target: '/src' }], env: ['PYTHONDONTWRITEBYTECODE=1'] };
}

/** A random container name; upstream's containers are anonymous, ours are named to be removable on every path. */
export function containerName(purpose: string): string {
  return `cog-${purpose}-${randomBytes(6).toString('hex')}`;
}

/** Checks a `--gpus` value as upstream does: `all`, a count, or `device=…`. */
export function checkGpus(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (isGpuSpec(value)) return value;
  throw new UserError(`invalid GPU specification: "${value}"`, { hint: 'use --gpus all, a number of GPUs, or device=0,1' });
}

/** What `docker run --gpus` takes: `all`, a number of GPUs, or `device=0,1`. */
export function isGpuSpec(value: string): boolean {
  return value === 'all' || /^\d+$/.test(value) || /^"?device=[\w,.-]+"?$/.test(value);
}

/** The `docker run` argv for a spec: a pure function, tested as such. */
export function dockerRunArgv(spec: ContainerSpec, mode: AttachMode): string[] {
  const argv = ['run', '--rm'];
  if (mode.detach) argv.push('--detach');
  else {
    if (mode.interactive) argv.push('--interactive');
    if (mode.tty) argv.push('--tty');
  }
  argv.push('--name', spec.name ?? containerName('run'));
  // Upstream's size: PyTorch data loaders share tensors through /dev/shm, and Docker's 64 MiB is too small.
  argv.push('--shm-size', '6g');
  for (const port of spec.ports ?? []) argv.push('--publish', `${port.hostIp.includes(':') ? `[${port.hostIp}]` : port.hostIp}:${port.hostPort ?? ''}:${port.containerPort}`);
  for (const entry of spec.env ?? []) argv.push('--env', entry);
  // The docker CLI reads --gpus as CSV: `device=0,1` must be quoted to stay one field.
  if (spec.gpus) argv.push('--gpus', spec.gpus.includes(',') && !spec.gpus.startsWith('"') ? `"${spec.gpus}"` : spec.gpus);
  for (const volume of spec.volumes ?? []) argv.push('--volume', `${volume.source}:${volume.target}${volume.readOnly ? ':ro' : ''}`);
  if (spec.workdir) argv.push('--workdir', spec.workdir);
  for (const host of spec.extraHosts ?? []) argv.push('--add-host', host);
  argv.push(...(spec.runArgs ?? []), spec.image, ...(spec.command ?? []));
  return argv;
}

/** Docker's words for "this host cannot give containers a GPU". */
export function isMissingGpuDriver(stderr: string): boolean {
  return stderr.includes('could not select device driver') || stderr.includes('nvidia-container-cli: initialization error');
}

export interface RunningContainer {
  id: string;
  name: string;
  /** The host port on 127.0.0.1 that reaches the runtime. */
  port: number;
  /** The GPUs it got: `--gpus all` is dropped when the host has no driver. */
  gpus: string | undefined;
}

export interface StartOptions {
  logger?: Logger;
  /** Picks the host port. Default: a free port of 127.0.0.1, asked of the kernel. */
  pickPort?: () => Promise<number>;
}

/** How often a port taken between our pick and docker's bind is picked again. */
const portAttempts = 3;

/**
 * Starts a model container in the background with the runtime's port published on a random
 * 127.0.0.1 port. `--gpus all` on a host without an NVIDIA driver is retried without GPUs, as
 * upstream does. Throws with nothing left behind.
 *
 * Upstream lets the engine pick the port and asks for it afterwards; picking it here saves that
 * `docker port` round trip on every run. A port taken in between is picked again.
 */
export async function startContainer(docker: DockerCli, spec: ContainerSpec, options: StartOptions = {}): Promise<RunningContainer> {
  const name = spec.name ?? containerName('run');
  const pickPort = options.pickPort ?? freeLoopbackPort;
  for (let attempt = 1; ; attempt++) {
    const port = spec.ports ? undefined : await pickPort();
    const ports = spec.ports ?? [{ hostIp: '127.0.0.1', hostPort: port, containerPort: runtimePort }];
    const started = await docker.run(dockerRunArgv({ ...spec, name, ports }, { detach: true }));
    const id = started.stdout.trim();
    if (started.exitCode === 0 && id) return { id, name, port: port ?? (await publishedPort(docker, id, name)), gpus: spec.gpus };
    // A container whose start failed (a GPU request, a port) is left "Created" by the engine.
    await removeContainer(docker, name);
    const stderr = started.stderrTail.join('\n');
    if (spec.gpus === 'all' && isMissingGpuDriver(stderr)) {
      options.logger?.info('run', 'Missing device driver, re-trying without GPU');
      return startContainer(docker, { ...spec, gpus: undefined }, options);
    }
    if (port !== undefined && attempt < portAttempts && /port is already allocated|address already in use/i.test(stderr)) continue;
    throw new UserError(`Failed to start container from ${spec.image}: ${lastLine(started.stderrTail) || 'docker run printed nothing'}`);
  }
}

/** The host port the engine published the runtime on (ports given without a host port). */
async function publishedPort(docker: DockerCli, id: string, name: string): Promise<number> {
  const mapped = await docker.run(['port', id, `${runtimePort}/tcp`]);
  const port = Number.parseInt(mapped.stdout.trim().split('\n')[0]?.split(':').at(-1) ?? '', 10);
  if (Number.isInteger(port)) return port;
  await removeContainer(docker, name);
  throw new UserError(`container ${id.slice(0, 12)} published no port for ${runtimePort}`);
}

/** A port of 127.0.0.1 that nothing listens on: the kernel's pick for port 0. */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Last resort while a container lives: should cog exit without its `finally` blocks (a second
 * Ctrl-C, a bug), a synchronous `docker rm --force` in the exit hook still removes it. Returns the
 * function that disarms it once the normal clean-up has run.
 */
export function removeOnExit(docker: DockerCli, name: string): () => void {
  const remove = () => {
    spawnSync(docker.binary, ['rm', '--force', '--volumes', name], { stdio: 'ignore', timeout: 15_000 });
  };
  process.once('exit', remove);
  return () => void process.removeListener('exit', remove);
}

/** Removes a container whatever its state; safe to call twice and for one that never started. */
export async function removeContainer(docker: DockerCli, idOrName: string): Promise<void> {
  await docker.run(['rm', '--force', '--volumes', idOrName]);
}

/** The container's state (`running`, `exited`, …), or `gone` once removed. */
export async function containerState(docker: DockerCli, idOrName: string): Promise<string> {
  const result = await docker.run(['inspect', '--format', '{{.State.Status}}', idOrName]);
  return result.exitCode === 0 ? result.stdout.trim() : 'gone';
}

function lastLine(lines: string[]): string {
  return lines.filter((l) => l.trim()).at(-1)?.trim() ?? '';
}
