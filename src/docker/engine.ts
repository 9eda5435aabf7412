import { UnavailableError, UserError } from '../errors.js';
import type { Readable } from 'node:stream';
import type { DockerCli } from './process.js';

/** Fails with a fix when no Docker engine answers. Returns the engine's version. */
export async function requireEngine(docker: DockerCli): Promise<string> {
  const result = await docker.run(['version', '--format', '{{.Server.Version}}']);
  if (result.exitCode !== 0 || !result.stdout.trim()) {
    const why = lastLine(result.stderrTail) || 'no answer';
    throw new UnavailableError(`cannot reach the Docker engine: ${why}`, { hint: engineHint(why) });
  }
  return result.stdout.trim();
}

export interface ImageInfo {
  id: string;
  /** Uncompressed size in bytes, as the engine reports it. */
  size: number;
  labels: Record<string, string>;
  /** Diff IDs of the image's layers, base first. */
  layers: string[];
}

export async function inspectImage(docker: DockerCli, name: string): Promise<ImageInfo> {
  const result = await docker.run(['image', 'inspect', '--format', '{{json .}}', name]);
  if (result.exitCode !== 0) {
    throw new UserError(`image ${name} not found in the local engine`, { hint: 'build it first with `cog build`' });
  }
  const raw = JSON.parse(result.stdout) as {
    Id: string;
    Size: number;
    Config?: { Labels?: Record<string, string> | null };
    RootFS?: { Layers?: string[] };
  };
  return { id: raw.Id, size: raw.Size, labels: raw.Config?.Labels ?? {}, layers: raw.RootFS?.Layers ?? [] };
}

/** The engine runs but this user may not use its socket (not root, not in the `docker` group). */
function engineHint(why: string): string {
  if (/permission denied/i.test(why) && /\.sock\b/.test(why)) {
    return 'your user may not use the engine\'s socket: add it to the docker group (`sudo usermod -aG docker $USER`, then log in again), or use rootless Docker and point DOCKER_HOST at its socket';
  }
  return 'start Docker (or dockerd), or point DOCKER_HOST at a running engine';
}

function lastLine(lines: string[]): string {
  return lines.filter((l) => l.trim()).at(-1)?.trim() ?? '';
}

/**
 * Runs a command to completion in a throwaway container of `image` and returns its stdout. The
 * container is removed whether the command succeeds or not (`--rm`).
 */
export async function runInImage(docker: DockerCli, image: string, command: string[], signal?: AbortSignal): Promise<string> {
  const result = await docker.run(['run', '--rm', '--network', 'none', image, ...command], { signal });
  if (result.exitCode !== 0) {
    throw new UserError(`\`${command.join(' ')}\` failed in ${image}:\n${result.stderrTail.slice(-10).join('\n')}`);
  }
  return result.stdout;
}

/** Removes an image name (the layers stay while another name uses them). Missing is fine. */
export async function removeImageName(docker: DockerCli, name: string): Promise<void> {
  await docker.run(['image', 'rm', name]);
}

/** Gives an image another name. */
export async function tagImage(docker: DockerCli, source: string, target: string): Promise<void> {
  const result = await docker.run(['tag', source, target]);
  if (result.exitCode !== 0) throw new UserError(`could not name the image ${target}: ${result.stderrTail.at(-1) ?? ''}`);
}

/**
 * Loads an image archive (`docker save`'s format) into the engine, streamed: nothing of it is
 * kept here. Used for what a BuildKit daemon elsewhere built.
 */
export async function loadImage(docker: DockerCli, archive: Readable, signal?: AbortSignal): Promise<void> {
  const result = await docker.run(['load'], { stdinStream: archive, signal });
  if (result.exitCode !== 0) throw new UserError(`could not load the built image into the local engine: ${lastLine(result.stderrTail) || `exit ${result.exitCode}`}`);
}
