import type { ImageExporter } from '../docker/image-export.js';
import type { DockerOutputStream } from '../docker/process.js';
import { checkedConfig } from './config.js';
import { readSaveArchive, type ReadSaveArchiveOptions, type ReadSaveArchiveResult } from './save-archive.js';
import type { LayerSource, LocalImage } from './types.js';
import { LayerSourceError } from './verify.js';

/**
 * Layers read from one export of the image (`docker save`'s archive): works with any engine,
 * local or remote, but the engine exports the whole image each time (and Docker before 25 first
 * copies it to a temporary directory of its own, which is most of the time), so a subset costs
 * nearly as much as all of it. The image config goes by in the same archive: it is kept from the
 * pass that read the layers, so a push needs no export of its own for it.
 */
export function createDockerSaveSource(exporter: ImageExporter, image: LocalImage): LayerSource {
  let config: Buffer | undefined;
  const keepConfig = (bytes: Buffer) => (config = checkedConfig(bytes, image, 'docker-save'));
  return {
    kind: 'docker-save',
    describe: exporter.describe,
    close: async () => undefined,
    async forEachLayer(wanted, visit, options = {}) {
      const unknown = wanted.filter((diffId) => !image.diffIds.includes(diffId));
      if (unknown.length > 0) throw new LayerSourceError('docker-save', `layers ${unknown.join(', ')} are not layers of image ${image.id}`, { diffId: unknown[0] });
      if (wanted.length === 0) return;
      await readExport(exporter, image.id, { diffIds: image.diffIds, wanted: new Set(wanted), visit, configId: config ? undefined : image.id, onConfig: keepConfig }, options.signal);
    },
    async readConfig(options = {}) {
      if (!config) await readExport(exporter, image.id, { diffIds: image.diffIds, wanted: new Set(), configId: image.id, onConfig: keepConfig }, options.signal);
      if (!config) throw new LayerSourceError('docker-save', `the export of image ${image.id} holds no config`);
      return config;
    },
  };
}

/**
 * Opens the export of the image (by ID, not a name: a tag may move to another image meanwhile)
 * and reads the archive. The export is ended as soon as the reader has what it wants, fails, or
 * the signal aborts; it never outlives this call.
 */
async function readExport(exporter: ImageExporter, imageId: string, options: ReadSaveArchiveOptions, signal?: AbortSignal): Promise<ReadSaveArchiveResult> {
  signal?.throwIfAborted();
  const save = await exporter.open(imageId, signal);
  const onAbort = () => save.stdout.destroy(signal!.reason as Error);
  signal?.addEventListener('abort', onAbort, { once: true });
  const visitErrors = new WeakSet<object>();
  const visit = options.visit;
  const watched: ReadSaveArchiveOptions = {
    ...options,
    visit:
      visit &&
      ((diffId, stream, size) =>
        visit(diffId, stream, size).catch((error: unknown) => {
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
    if (exit.exitCode !== 0) throw new LayerSourceError('docker-save', `the export of ${imageId} failed: ${exit.stderrTail.slice(-5).join('\n')}`);
    return result;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    save.stdout.destroy();
  }
}

/** Ends the export, then explains the failure with what the engine said when the archive was cut short. */
async function failure(save: DockerOutputStream, error: unknown, signal: AbortSignal | undefined, visitErrors: WeakSet<object>): Promise<never> {
  save.kill();
  save.stdout.destroy();
  if (signal?.aborted) throw signal.reason;
  // The visitor's own failures (an upload that failed) are the caller's, unchanged.
  if (typeof error === 'object' && error !== null && visitErrors.has(error)) throw error;
  const exit = await save.exited.catch(() => undefined);
  const said = exit && exit.exitCode !== 0 ? exit.stderrTail.filter((l) => l.trim()).slice(-5).join('\n') : '';
  if (!said) throw error;
  throw new LayerSourceError('docker-save', `the export failed: ${said}`, { cause: error });
}
