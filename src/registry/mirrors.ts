import { UserError } from '../errors.js';
import { parseReference } from './reference.js';

/**
 * Base images from a mirror registry, for networks that cannot reach Docker Hub, nvidia's images or
 * r8.im: `COG_IMAGE_MIRRORS="docker.io=mirror.corp/hub,r8.im=mirror.corp/r8"` turns
 * `python:3.12-slim` into `mirror.corp/hub/library/python:3.12-slim`.
 */
export function parseImageMirrors(text: string | undefined): Map<string, string> {
  const mirrors = new Map<string, string>();
  for (const entry of (text ?? '').split(',').map((e) => e.trim()).filter(Boolean)) {
    const [registry, mirror] = entry.split('=').map((part) => part.trim().replace(/\/+$/, ''));
    if (!registry || !mirror) {
      throw new UserError(`COG_IMAGE_MIRRORS: "${entry}" is not REGISTRY=MIRROR`, {
        hint: 'e.g. COG_IMAGE_MIRRORS="docker.io=mirror.example.com/hub,r8.im=mirror.example.com/r8"',
      });
    }
    mirrors.set(registry, mirror);
  }
  return mirrors;
}

/** The image's name on its mirror, or the name unchanged when its registry has none. */
export function mirroredImage(image: string, mirrors: Map<string, string>): string {
  if (mirrors.size === 0) return image;
  const ref = parseReference(image);
  const mirror = mirrors.get(ref.registry);
  if (!mirror) return image;
  const suffix = ref.digest ? `@${ref.digest}` : `:${ref.tag ?? 'latest'}`;
  return `${mirror}/${ref.repository}${suffix}`;
}
