import type { KnownUploadLimits } from './chunk-limits.js';
import type { UploadWindow } from './chunk-window.js';
import { RegistryNetworkError, RegistryResponseError, UploadSessionLostError } from './registry-errors.js';
import type { RetryPolicy } from './retry-policy.js';
import { isRetryableFailure, type RequestBody } from './transport.js';

/**
 * The PATCH loop of one upload session: chunks in order, each following the previous answer's
 * `Location`, a failed chunk sent again from the offset the registry reports (GET on the upload
 * URL), then `PUT ?digest=`. A session the registry lost (404) ends the loop with
 * UploadSessionLostError; the blob then starts over (blob-push.ts).
 */

/** The session as it stands, shared with the caller: where to send next, what the registry holds. */
export interface SessionState {
  location: URL;
  /** Bytes of the blob the registry holds in this session. */
  confirmed: number;
  /** Chunks the registry accepted in this session: a session that took some made progress. */
  accepted: number;
}

/** A chunk sent again within the same session, and why. */
export interface ChunkRetry {
  reason: string;
  /** Consecutive failures without progress so far. */
  failures: number;
}

/** The verbs the PATCH loop uses (client.ts). */
export interface ChunkVerbs {
  uploadChunk(
    location: URL,
    chunk: { body: RequestBody; start?: number; length?: number },
    options?: { signal?: AbortSignal },
  ): Promise<{ location: URL; received: number | undefined }>;
  uploadStatus(location: URL, options?: { signal?: AbortSignal }): Promise<{ location: URL; received: number }>;
  finishUpload(location: URL, digest: string, lastChunk?: { body: RequestBody; start?: number; length?: number }, options?: { signal?: AbortSignal }): Promise<void>;
}

export interface ChunkUploadArgs {
  client: ChunkVerbs;
  /** What is known of the registry's limits (chunk-limits.ts). */
  knownLimits: KnownUploadLimits;
  policy: RetryPolicy;
  window: UploadWindow;
  state: SessionState;
  /** Largest PATCH body. */
  chunkSize: number;
  /** The blob's digest: known in advance, or computed once every byte was read. */
  digest: () => string;
  signal?: AbortSignal | undefined;
  onProgress?: ((bytes: number) => void) | undefined;
  onRetry?: ((retry: ChunkRetry) => void) | undefined;
}

/** The registry refused the first ranged PATCH: it does not do chunks (Cog's rule too). */
export class ChunksRefused extends Error {
  constructor(readonly status: number) {
    super(`the registry refused a ranged PATCH with ${status}`);
    this.name = 'ChunksRefused';
  }
}

/** The registry's answer about a failed chunk does not fit the bytes at hand: start the blob over. */
export class RestartBlob extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RestartBlob';
  }
}

export async function uploadChunks(args: ChunkUploadArgs): Promise<{ digest: string; size: number }> {
  const { client, window, state, signal, knownLimits } = args;
  let pieceSize = args.chunkSize;
  let failures = 0;
  for (;;) {
    if (state.confirmed === window.limit || (!window.streams && state.confirmed === window.end)) {
      if (window.size !== undefined ? state.confirmed === window.size : !(await window.hasMore())) break;
      window.advance();
      if (!window.streams) await window.fill();
      continue;
    }
    const end = Math.min(window.streams ? window.limit : window.end, state.confirmed + pieceSize);
    if (knownLimits.lastChunkInPut && (await isLastChunk(window, end))) {
      const digest = await lastDigest(window, args.digest, end);
      await closeWithBody(client.finishUpload(state.location, digest, { body: window.body(state.confirmed, end, args.onProgress), start: state.confirmed, length: end - state.confirmed }, { signal }));
      return { digest, size: end };
    }
    try {
      const answer = await client.uploadChunk(state.location, { body: window.body(state.confirmed, end, args.onProgress), start: state.confirmed, length: end - state.confirmed }, { signal });
      state.location = answer.location;
      // A registry that kept only part of the chunk says so in Range; re-send the rest. Odd
      // values (GHCR's `0-0`) are not taken as a step back.
      state.confirmed = answer.received !== undefined && answer.received > state.confirmed && answer.received < end ? answer.received : end;
      state.accepted++;
      failures = 0;
      args.onProgress?.(state.confirmed);
    } catch (error) {
      if (signal?.aborted || error instanceof UploadSessionLostError) throw error;
      const status = error instanceof RegistryResponseError ? error.status : undefined;
      if (state.accepted === 0 && state.confirmed === 0 && (status === 416 || status === 400)) throw new ChunksRefused(status);
      failures++;
      const floor = Math.max(1024 * 1024, knownLimits.minChunk ?? 0);
      if (status === 413 && pieceSize > floor && failures < args.policy.uploadAttempts) {
        // A proxy's body limit (Cloudflare, nginx): nothing was kept; try smaller chunks.
        pieceSize = Math.max(floor, Math.floor(pieceSize / 2));
        continue;
      }
      if ((!isRetryableFailure(error) && status !== 416) || failures >= args.policy.uploadAttempts) throw withAttempts(error, failures);
      args.onRetry?.({ reason: describeFailure(error), failures });
      const retryAfter = error instanceof RegistryResponseError ? error.retryAfter : undefined;
      await args.policy.wait(args.policy.delayAfter(failures, retryAfter), signal);
      const before = state.confirmed;
      const answer = await client.uploadStatus(state.location, { signal });
      state.location = answer.location;
      if (answer.received < before || !window.canResumeAt(answer.received)) {
        throw new RestartBlob(`the registry holds ${answer.received} bytes, which the upload cannot go on from (it had ${before} confirmed)`, { cause: error });
      }
      state.confirmed = answer.received;
      // The registry kept part of the failed chunk: that is progress too.
      if (state.confirmed > before) failures = 0;
      args.onProgress?.(state.confirmed);
    }
  }
  // Read to the end: a layer longer than announced is refused, and a verified layer stream checks
  // its diff ID only once its end is reached.
  if (window.streams && (await window.hasMore())) throw new Error(`the blob is longer than the ${window.size} bytes announced`);
  const digest = args.digest();
  await client.finishUpload(state.location, digest, undefined, { signal });
  return { digest, size: state.confirmed };
}

/**
 * A closing PUT that carries bytes. Sent again after a fault, it may find the registry holding part
 * of it (distribution v3 keeps what a cut PUT delivered) and answer 416: the session then cannot
 * take the body from its start, so the blob starts over in a new one (after a HEAD, in case the
 * first PUT did commit it).
 */
export async function closeWithBody(put: Promise<void>): Promise<void> {
  try {
    await put;
  } catch (error) {
    if (error instanceof RegistryResponseError && error.status === 416) throw new RestartBlob('the registry kept part of a closing PUT', { cause: error });
    throw error;
  }
}

/** Whether the chunk ending at `end` is the blob's last (the layer has no bytes past it). */
async function isLastChunk(window: UploadWindow, end: number): Promise<boolean> {
  if (window.size !== undefined) return end === window.size;
  return end === window.end && !(await window.hasMore());
}

/** The digest for a PUT that carries the last chunk: a computed digest needs every byte read first. */
async function lastDigest(window: UploadWindow, digest: () => string, end: number): Promise<string> {
  if (window.streams && window.end < end) await window.fill();
  return digest();
}

/** What went wrong, in a few words, for the progress line and --json. */
export function describeFailure(error: unknown): string {
  if (error instanceof RegistryResponseError) return `${error.status}${error.errors[0]?.code ? ` ${error.errors[0].code}` : ''}`;
  if (error instanceof RegistryNetworkError) return `network: ${(error.cause as { code?: string })?.code ?? 'connection failed'}`;
  if (error instanceof UploadSessionLostError) return 'upload session lost';
  return error instanceof Error ? error.message : String(error);
}

/** The fault count of a chunk that failed every time, in the error's message. */
function withAttempts(error: unknown, attempts: number): unknown {
  if (attempts <= 1) return error;
  if (error instanceof RegistryResponseError) {
    return new RegistryResponseError({ host: error.host, method: error.method, path: error.path, status: error.status, errors: error.errors, attempts });
  }
  if (error instanceof RegistryNetworkError) {
    return new RegistryNetworkError({ host: error.host, method: error.method, path: error.path, attempts, cause: error.cause });
  }
  return error;
}
