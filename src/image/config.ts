import type { LocalImage } from './types.js';
import { LayerSourceError, sha256Digest } from './verify.js';

/**
 * The image config's bytes, checked: they are pushed as the config blob, so they must be exactly
 * the engine's (their sha256 is the image ID), and list the layers the engine listed.
 */
export function checkedConfig(bytes: Buffer, image: LocalImage, source: 'engine-store' | 'docker-save'): Buffer {
  if (sha256Digest(bytes) !== image.id) throw new LayerSourceError(source, `the config read for image ${image.id} hashes to ${sha256Digest(bytes)}`);
  const diffIds = (JSON.parse(bytes.toString('utf8')) as { rootfs?: { diff_ids?: unknown } }).rootfs?.diff_ids;
  if (!Array.isArray(diffIds) || diffIds.join() !== image.diffIds.join()) {
    throw new LayerSourceError(source, `image ${image.id}: its config lists layers ${String(diffIds)}, the engine's inspect ${image.diffIds.join(', ')}`);
  }
  return bytes;
}
