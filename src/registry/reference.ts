import { UserError } from '../errors.js';

/** An image reference split the way the distribution spec and Docker read it. */
export interface ImageReference {
  /** Registry host[:port], e.g. `r8.im`, `127.0.0.1:5000`; `docker.io` for Docker Hub names. */
  registry: string;
  /** Repository path, e.g. `cog-base`, `library/python`. */
  repository: string;
  /** Tag, when given or defaulted (`latest`). */
  tag: string | undefined;
  /** Digest, when given (`sha256:…`). */
  digest: string | undefined;
}

const dockerHub = 'docker.io';

/**
 * Parses `[registry/]repository[:tag][@digest]` as Docker does: the first path component is a
 * registry when it has a dot or a port or is `localhost`; Docker Hub names get `library/`.
 */
export function parseReference(text: string): ImageReference {
  const input = text.trim();
  const [namePart, digest] = input.split('@', 2) as [string, string | undefined];
  if (digest !== undefined && !/^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(digest)) {
    throw new UserError(`invalid image reference "${text}": bad digest`);
  }
  const lastSlash = namePart.lastIndexOf('/');
  const lastColon = namePart.lastIndexOf(':');
  const hasTag = lastColon > lastSlash;
  const name = hasTag ? namePart.slice(0, lastColon) : namePart;
  const tag = hasTag ? namePart.slice(lastColon + 1) : undefined;
  const first = name.split('/')[0] ?? '';
  const firstIsRegistry = name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = firstIsRegistry ? first : dockerHub;
  let repository = firstIsRegistry ? name.slice(first.length + 1) : name;
  if (registry === dockerHub && !repository.includes('/')) repository = `library/${repository}`;
  if (!/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/.test(repository)) {
    throw new UserError(`invalid image reference "${text}": repository names are lower case letters, digits and . _ - /`);
  }
  if (tag !== undefined && !/^[\w][\w.-]{0,127}$/.test(tag)) {
    throw new UserError(`invalid image reference "${text}": bad tag "${tag}"`);
  }
  return { registry, repository, tag: tag ?? (digest ? undefined : 'latest'), digest };
}

/** The base URL of a registry's API; plain HTTP only for loopback hosts, as Docker allows. */
export function registryBaseUrl(registry: string): string {
  const host = registry === dockerHub ? 'registry-1.docker.io' : registry;
  const loopback = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/.test(host);
  return `${loopback ? 'http' : 'https'}://${host}`;
}
