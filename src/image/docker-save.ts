import type { DockerCli, DockerOutputStream } from '../docker/process.js';
import { readSaveArchive, type ReadSaveArchiveOptions, type ReadSaveArchiveResult } from './save-archive.js';
import type { LayerSource, LocalImage } from './types.js';
import { LayerSourceError } from './verify.js';

/**
 * Layers read from one `docker save` stream: works with any engine, local or remote, but the
 * engine exports the whole image each time (and Docker before 25 first copies it to a temporary
 * directory of its own), so a subset costs nearly as much as all of it.
 */
export function createDockerSaveSource(docker: DockerCli, image: LocalImage): LayerSource {
  return {
    kind: 'docker-save',
    async forEachLayer(wanted, visit, options = {}) {
      const unknown = wanted.filter((diffId) => !image.diffIds.includes(diffId));
      if (unknown.length > 0) throw new LayerSourceError('docker-save', `layers ${unknown.join(', ')} are not layers of image ${image.id}`, { diffId: unknown[0] });
      if (wanted.length === 0) return;
      await readFromSave(docker, image.id, { diffIds: image.diffIds, wanted: new Set(wanted), visit }, options.signal);
    },
  };
}

/** The image config as `docker save` writes it (the engine has no other way to hand out its bytes). */
export async function readConfigFromSave(docker: DockerCli, image: { id: string; diffIds: readonly string[] }, signal?: AbortSignal): Promise<Buffer | undefined> {
  let config: Buffer | undefined;
  await readFromSave(docker, image.id, { diffIds: image.diffIds, wanted: new Set(), configId: image.id, onConfig: (bytes) => (config = bytes) }, signal);
  return config;
}

/**
 * Runs `docker save <image ID>` (the ID, not a name: a tag may move to another image meanwhile)
 * and reads the archive. The child is ended as soon as the reader has what it wants, fails, or
 * the signal aborts; it never outlives this call.
 */
async function readFromSave(docker: DockerCli, imageId: string, options: ReadSaveArchiveOptions, signal?: AbortSignal): Promise<ReadSaveArchiveResult> {
  signal?.throwIfAborted();
  const save = await docker.stream(['save', imageId], { signal });
  const onAbort = () => save.stdout.destroy(signal!.reason as Error);
  signal?.addEventListener('abort', onAbort, { once: true });
  const visitErrors = new WeakSet<object>();
  const visit = options.visit;
  const watched: ReadSaveArchiveOptions = {
    ...options,
    visit: visit && ((diffId, stream) => visit(diffId, stream).catch((error: unknown) => {
      if (typeof error === 'object' && error !== null) visitErrors.add(error);
      throw error;
    })),
  };
  try {
    const result = await readSaveArchive(save.stdout, watched).catch((error: unknown) => failure(save, error, signal, visitErrors));
    if (result.stoppedEarly) {
      save.kill();
      await save.exited.catch(() => undefined);
      return result;
    }
    const exit = await save.exited;
    if (exit.exitCode !== 0) throw new LayerSourceError('docker-save', `docker save ${imageId} failed: ${exit.stderrTail.slice(-5).join('\n')}`);
    return result;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    save.stdout.destroy();
  }
}

/** Ends the child, then explains the failure with its stderr when the archive was cut short. */
async function failure(save: DockerOutputStream, error: unknown, signal: AbortSignal | undefined, visitErrors: WeakSet<object>): Promise<never> {
  save.kill();
  save.stdout.destroy();
  if (signal?.aborted) throw signal.reason;
  // The visitor's own failures (an upload that failed) are the caller's, unchanged.
  if (typeof error === 'object' && error !== null && visitErrors.has(error)) throw error;
  const exit = await save.exited.catch(() => undefined);
  const said = exit && exit.exitCode !== 0 ? exit.stderrTail.filter((l) => l.trim()).slice(-5).join('\n') : '';
  if (!said) throw error;
  throw new LayerSourceError('docker-save', `docker save failed: ${said}`, { cause: error });
}
