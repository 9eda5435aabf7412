import { Readable } from 'node:stream';
import { UserError } from '../errors.js';
import { BlobReader } from './blob-reader.js';
import { effectiveChunkSize } from './chunk-limits.js';
import type { RegistryClient } from './client.js';
import { RegistryNetworkError, RegistryResponseError, UploadSessionLostError } from './registry-errors.js';
import type { RetryPolicy } from './retry-policy.js';
import { isRetryableFailure, type BodySource } from './transport.js';
import type { BlobUpload, PushedBlob, UploadSession } from './types.js';

/**
 * One blob to a registry, surviving faults: HEAD (dedup) → mount → POST → PATCH chunks → PUT.
 *
 * Memory is one chunk buffer per upload: the chunk being sent is kept so that a failed PATCH can
 * be sent again. After a fault the registry is asked how much it holds (GET on the upload URL) and
 * the upload resumes from there, re-sending at most the current chunk. When the session is gone
 * (distribution answers 404 BLOB_UPLOAD_INVALID after a cut connection or a lost response), this
 * blob, and only this one, starts over from its first byte with `upload.open()`.
 */

export interface PushBlobOptions {
  /** Bytes of this blob the registry holds or is being sent, as they go; goes back to 0 on a restart. */
  onProgress?(bytesSent: number): void;
  /** Cancels the upload; the push then rejects with the abort reason, unwrapped. */
  signal?: AbortSignal;
  /** Repositories of the same registry that may hold the blob, tried in order for a mount (needs `upload.digest`). */
  mountFrom?: string[];
  /** How errors name the blob (`layer 3`). Default: its digest when known, else `a blob`. */
  label?: string;
}

/** Progress is reported per slice of a chunk as undici takes it, so bars move within a 96 MiB chunk. */
const progressSliceBytes = 256 * 1024;

/** The bytes at hand cannot continue the upload: start the blob over. */
class RestartBlob extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RestartBlob';
  }
}

export async function pushBlob(client: RegistryClient, upload: BlobUpload, options: PushBlobOptions = {}): Promise<PushedBlob> {
  return new BlobPush(client, upload, options).run();
}

class BlobPush {
  private buffer: Buffer | undefined;
  private readonly policy: RetryPolicy;

  constructor(
    private readonly client: RegistryClient,
    private readonly upload: BlobUpload,
    private readonly options: PushBlobOptions,
  ) {
    this.policy = client.transport.retryPolicy;
  }

  async run(): Promise<PushedBlob> {
    const { digest } = this.upload;
    const signal = this.options.signal;
    try {
      if (digest) {
        const existing = await this.client.headBlob(digest, { signal });
        if (existing) return this.done('exists', digest, existing.size);
      }
      const mounted = await this.tryMounts();
      if (mounted && 'outcome' in mounted) return mounted;
      let session: UploadSession | undefined = mounted;
      for (let restarts = 0; ; restarts++) {
        try {
          session ??= await this.client.startUpload({ signal });
          return await this.uploadIn(session);
        } catch (error) {
          session = undefined;
          const restartable = error instanceof UploadSessionLostError || error instanceof RestartBlob;
          if (!restartable || signal?.aborted || restarts + 1 >= this.policy.attempts) throw error;
          this.options.onProgress?.(0);
          // A session lost after its closing PUT may still have committed the blob.
          const committed = digest ? await this.client.headBlob(digest, { signal }) : undefined;
          if (digest && committed) return this.done('pushed', digest, committed.size);
          await this.policy.wait(this.policy.delayAfter(restarts + 1), signal);
        }
      }
    } catch (error) {
      throw this.failure(error);
    } finally {
      if (this.buffer) this.client.uploadOptions.buffers.release(this.buffer);
      this.buffer = undefined;
    }
  }

  private async tryMounts(): Promise<PushedBlob | UploadSession | undefined> {
    const { digest } = this.upload;
    if (!digest) return undefined;
    let session: UploadSession | undefined;
    for (const from of this.options.mountFrom ?? []) {
      if (from === this.client.repository) continue;
      let result;
      try {
        result = await this.client.mountBlob(digest, from, { signal: this.options.signal });
      } catch (error) {
        // No read access to the source (or it is gone): an upload still works.
        if (error instanceof RegistryResponseError && [401, 403, 404].includes(error.status)) continue;
        throw error;
      }
      if (result.outcome === 'mounted') {
        const size = this.upload.size ?? (await this.client.headBlob(digest, { signal: this.options.signal }))?.size ?? 0;
        return this.done('mounted', digest, size);
      }
      if (session) await this.client.cancelUpload(result.session.location).catch(() => undefined);
      else session = result.session;
    }
    return session;
  }

  /** One pass over the blob's bytes in one upload session. */
  private async uploadIn(session: UploadSession): Promise<PushedBlob> {
    const reader = new BlobReader(await this.upload.open(), { hash: !this.upload.digest });
    try {
      if (this.client.refusesChunks) return await this.inOneRequest(session, reader, Buffer.alloc(0));
      const { chunkSize: configured, monolithicThreshold, knownLimits } = this.client.uploadOptions;
      const chunkSize = effectiveChunkSize({ configured, known: knownLimits, serverMin: session.minChunkLength, serverMax: session.maxChunkLength });
      // A small probe first: a blob that ends within it goes up in one request without taking one
      // of the (few, large) pooled chunk buffers, so small layers never wait behind big ones.
      const probe = Buffer.allocUnsafe(Math.max(1, Math.min(monolithicThreshold, chunkSize)));
      const probed = await reader.fill(probe);
      if (probed <= monolithicThreshold && (await reader.atEnd())) {
        const digest = this.upload.digest ?? reader.digest();
        await this.client.finishUpload(session.location, digest, { body: probe.subarray(0, probed), length: probed }, { signal: this.options.signal });
        return this.done('pushed', digest, probed);
      }
      const buffer = await this.chunkBuffer(chunkSize);
      probe.copy(buffer, 0, 0, probed);
      const first = probed + (await reader.fill(buffer.subarray(probed)));
      return await this.inChunks(session, reader, { buffer, first, chunkSize });
    } finally {
      reader.destroy();
    }
  }

  /** POST done; PATCH the chunks in order, each from the buffer, then PUT `?digest=`. */
  private async inChunks(
    session: UploadSession,
    reader: BlobReader,
    start: { buffer: Buffer; first: number; chunkSize: number },
  ): Promise<PushedBlob> {
    const { buffer } = start;
    const signal = this.options.signal;
    const { knownLimits } = this.client.uploadOptions;
    let location = session.location;
    let confirmed = 0; // bytes the registry holds
    let windowStart = 0; // blob offset of buffer[0]
    let windowEnd = start.first; // blob offset after the last byte in the buffer
    let pieceSize = Math.min(start.chunkSize, buffer.length);
    let accepted = false;
    let faults = 0;
    for (;;) {
      if (confirmed === windowEnd) {
        if (await reader.atEnd()) break;
        windowStart = confirmed;
        windowEnd = windowStart + (await reader.fill(buffer));
        continue;
      }
      const end = Math.min(windowEnd, confirmed + pieceSize);
      const piece = buffer.subarray(confirmed - windowStart, end - windowStart);
      if (knownLimits.lastChunkInPut && end === windowEnd && (await reader.atEnd())) {
        const digest = this.upload.digest ?? reader.digest();
        await this.client.finishUpload(location, digest, { body: piece, start: confirmed, length: piece.length }, { signal });
        return this.done('pushed', digest, end);
      }
      try {
        const answer = await this.client.uploadChunk(location, { body: this.progressBody(piece, confirmed), start: confirmed, length: piece.length }, { signal });
        location = answer.location;
        // A registry that kept only part of the chunk says so in Range; re-send the rest. Odd
        // values (GHCR's `0-0`) are not taken as a step back.
        confirmed = answer.received !== undefined && answer.received > confirmed && answer.received < end ? answer.received : end;
        accepted = true;
        faults = 0;
        this.options.onProgress?.(confirmed);
        continue;
      } catch (error) {
        if (signal?.aborted || error instanceof UploadSessionLostError) throw error;
        const status = error instanceof RegistryResponseError ? error.status : undefined;
        if (!accepted && confirmed === 0 && (status === 416 || status === 400)) {
          // Cog's rule too: a registry that refuses the first ranged PATCH does not do chunks.
          this.client.refusesChunks = true;
          await this.client.cancelUpload(location).catch(() => undefined);
          const fresh = await this.client.startUpload({ signal });
          return await this.inOneRequest(fresh, reader, buffer.subarray(0, windowEnd - windowStart));
        }
        faults++;
        const floor = Math.max(1024 * 1024, session.minChunkLength ?? 0, knownLimits.minChunk ?? 0);
        if (status === 413 && pieceSize > floor && faults < this.policy.attempts) {
          // A proxy's body limit (Cloudflare, nginx): nothing was kept; try smaller chunks.
          pieceSize = Math.max(floor, Math.floor(pieceSize / 2));
          continue;
        }
        if ((!isRetryableFailure(error) && status !== 416) || faults >= this.policy.attempts) throw withAttempts(error, faults);
        const retryAfter = error instanceof RegistryResponseError ? error.retryAfter : undefined;
        await this.policy.wait(this.policy.delayAfter(faults, retryAfter), signal);
        const state = await this.client.uploadStatus(location, { signal });
        location = state.location;
        if (state.received < windowStart || state.received > windowEnd) {
          throw new RestartBlob(`the registry holds ${state.received} bytes, outside the chunk at hand (${windowStart}–${windowEnd})`, { cause: error });
        }
        confirmed = state.received;
        this.options.onProgress?.(confirmed);
      }
    }
    const digest = this.upload.digest ?? reader.digest();
    await this.client.finishUpload(location, digest, undefined, { signal });
    return this.done('pushed', digest, confirmed);
  }

  /**
   * The whole blob in one request, for registries that refuse chunks: PUT `?digest=` with the
   * body when the digest is known; else Docker's streaming PATCH (one PATCH, no Content-Range,
   * the digest computed on the way), then PUT `?digest=`. `head` holds bytes already read.
   */
  private async inOneRequest(session: UploadSession, reader: BlobReader, head: Buffer): Promise<PushedBlob> {
    const signal = this.options.signal;
    let sent = 0;
    const report = (bytes: number): void => {
      sent += bytes;
      this.options.onProgress?.(sent);
    };
    const body: BodySource = {
      replayable: false,
      open: () =>
        Readable.from(
          (async function* () {
            if (head.length > 0) {
              yield head;
              report(head.length);
            }
            for await (const piece of reader.rest()) {
              yield piece;
              report(piece.length);
            }
          })(),
          { objectMode: false },
        ),
    };
    const length = this.upload.size;
    try {
      if (this.upload.digest) {
        await this.client.finishUpload(session.location, this.upload.digest, { body, length }, { signal });
        return this.done('pushed', this.upload.digest, reader.bytesRead);
      }
      const answer = await this.client.uploadChunk(session.location, { body, ...(length === undefined ? {} : { length }) }, { signal });
      const digest = reader.digest();
      await this.client.finishUpload(answer.location, digest, undefined, { signal });
      return this.done('pushed', digest, reader.bytesRead);
    } catch (error) {
      // A stream cannot be sent again from where it broke: the blob starts over.
      if (!signal?.aborted && isRetryableFailure(error)) throw new RestartBlob('the one-request upload failed', { cause: error });
      throw error;
    }
  }

  /** The chunk buffer, taken from the client's pool once per blob (a restart reuses it), no larger than the blob. */
  private async chunkBuffer(chunkSize: number): Promise<Buffer> {
    const wanted = this.upload.size !== undefined ? Math.max(1, Math.min(chunkSize, this.upload.size)) : chunkSize;
    const pool = this.client.uploadOptions.buffers;
    if (this.buffer && this.buffer.length < wanted) {
      pool.release(this.buffer);
      this.buffer = undefined;
    }
    this.buffer ??= await pool.acquire(wanted);
    return this.buffer.subarray(0, wanted);
  }

  /** A chunk's body, reporting progress as undici takes each slice. */
  private progressBody(piece: Buffer, offset: number): BodySource {
    const onProgress = this.options.onProgress;
    return {
      replayable: true,
      open: () =>
        Readable.from(
          (function* () {
            for (let at = 0; at < piece.length; at += progressSliceBytes) {
              const slice = piece.subarray(at, Math.min(piece.length, at + progressSliceBytes));
              yield slice;
              onProgress?.(offset + at + slice.length);
            }
          })(),
          { objectMode: false },
        ),
    };
  }

  private done(outcome: PushedBlob['outcome'], digest: string, size: number): PushedBlob {
    this.options.onProgress?.(size);
    return { digest, size, outcome };
  }

  /**
   * The error a user sees: which blob, which request, and what the registry answered. Errors
   * that are not the registry's (a bug, the image reader failing) pass through unchanged.
   */
  private failure(error: unknown): unknown {
    if (this.options.signal?.aborted) return error;
    const inner = error instanceof RestartBlob || error instanceof UploadSessionLostError ? (error.cause ?? error) : error;
    if (!(inner instanceof UserError) && !(error instanceof RestartBlob)) return error;
    const name = this.options.label ?? this.upload.digest ?? 'a blob';
    const where = `${this.client.registry}/${this.client.repository}`;
    const message = inner instanceof Error ? inner.message : String(inner);
    return new UserError(`could not push ${name} to ${where}: ${message}`, {
      hint: inner instanceof UserError ? inner.hint : undefined,
      cause: error,
    });
  }
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
