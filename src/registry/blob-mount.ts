import { RegistryResponseError } from './registry-errors.js';
import type { MountResult, UploadSession } from './types.js';

/**
 * Cross-repository mounts, the one routine for every caller (a blob upload, and the push's look
 * for layers pushed before): each source repository in turn, until the registry mounts the blob.
 * A mount is an optimisation, never a requirement: a source the credentials may not read (401,
 * 403: a token without pull on it) or that lacks the blob (404) is skipped, and the blob is then
 * uploaded as any other.
 */

/** The verbs a mount needs (client.ts). */
export interface MountVerbs {
  readonly repository: string;
  mountBlob(digest: string, fromRepository: string, options?: { signal?: AbortSignal }): Promise<MountResult>;
  cancelUpload(location: URL, options?: { signal?: AbortSignal }): Promise<void>;
}

export interface MountOptions {
  /** Checked after each POST; the POST itself is not cut short (see below). */
  signal?: AbortSignal | undefined;
  /** Keep an upload session a registry opened instead of mounting (a blob upload goes on in it); else it is closed. */
  keepSession?: boolean;
}

export type MountOutcome = { outcome: 'mounted'; from: string } | { outcome: 'not-mounted'; session: UploadSession | undefined };

export async function mountFromAny(verbs: MountVerbs, digest: string, sources: readonly string[], options: MountOptions = {}): Promise<MountOutcome> {
  let session: UploadSession | undefined;
  const close = (location: URL) => verbs.cancelUpload(location, { signal: AbortSignal.timeout(5000) }).catch(() => undefined);
  const stopIfCancelled = async () => {
    if (!options.signal?.aborted) return;
    if (session) await close(session.location);
    options.signal.throwIfAborted();
  };
  for (const from of sources) {
    if (from === verbs.repository) continue;
    await stopIfCancelled();
    let result: MountResult;
    try {
      // Not cancelled mid-way, like a POST for an upload: a 202 the registry sent but this push
      // never heard would leave a session nobody can close. The POST is quick and has no body.
      result = await verbs.mountBlob(digest, from);
    } catch (error) {
      if (error instanceof RegistryResponseError && [401, 403, 404].includes(error.status)) continue;
      throw error;
    }
    if (result.outcome === 'mounted') {
      if (session) await close(session.location);
      return { outcome: 'mounted', from };
    }
    // The registry opened an upload instead (it ignores `from`, or the source lacks the blob).
    if (session || !options.keepSession) await close(result.session.location);
    else session = result.session;
  }
  await stopIfCancelled();
  return { outcome: 'not-mounted', session };
}
