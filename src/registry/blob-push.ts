import { Readable } from 'node:stream';
import { UserError } from '../errors.js';
import { BlobReader } from './blob-reader.js';
import type { MountOptions, MountOutcome } from './blob-mount.js';
import type { ChunkBufferPool } from './chunk-buffers.js';
import { defaultChunkSize, effectiveChunkSize, type KnownUploadLimits } from './chunk-limits.js';
import {
  ChunksRefused,
  closeWithBody,
  describeFailure,
  RestartBlob,
  uploadChunks,
  type ChunkRetry,
  type ChunkUploadArgs,
  type ChunkVerbs,
  type SessionState,
} from './chunk-upload.js';
import { ChunkWindow, type UploadWindow } from './chunk-window.js';
import { RereadWindow } from './reread-window.js';
import { UploadSessionLostError } from './registry-errors.js';
import type { RetryPolicy } from './retry-policy.js';
import { isRetryableFailure, type BodySource } from './transport.js';
import type { BlobUpload, PushedBlob, UploadSession } from './types.js';

/**
 * One blob to a registry, surviving faults: HEAD (dedup) → mount → POST → PATCH chunks → PUT.
 *
 * Memory is one chunk buffer per upload (chunk-window.ts). After a fault the registry is asked
 * how much it holds and the upload resumes from there (chunk-upload.ts). When the session is gone
 * (distribution 2.8 answers 404 BLOB_UPLOAD_INVALID after a cut connection or a lost answer), this
 * blob, and only this one, starts over from its first byte with `upload.open()`, in larger chunks
 * each time: a registry (or a network) that keeps losing sessions gets fewer, larger requests,
 * down to one request for the whole blob, rather than more of the same.
 *
 * The budget counts failures without progress, not failures in total: a session that got chunks
 * accepted before it was lost made progress. A blob gives up after `policy.uploadAttempts` failures in
 * a row without progress, or after `maxRestarts` restarts in all.
 */

/** The protocol verbs a blob upload uses, of one repository (client.ts). */
export interface BlobVerbs extends ChunkVerbs {
  headBlob(digest: string, options?: { signal?: AbortSignal }): Promise<{ size: number } | undefined>;
  mountFrom(digest: string, sources: readonly string[], options?: MountOptions): Promise<MountOutcome>;
  startUpload(options?: { signal?: AbortSignal }): Promise<UploadSession>;
  cancelUpload(location: URL, options?: { signal?: AbortSignal }): Promise<void>;
}

/** How a client uploads blobs, as its uploads share it. */
export interface UploadSettings {
  /** PATCH chunk size, bytes; lowered by what the registry announces or is known to take. */
  chunkSize: number;
  /** Blobs up to this many bytes go up in one request. */
  monolithicThreshold: number;
  /** What is known of the registry's limits (chunk-limits.ts). */
  knownLimits: KnownUploadLimits;
}

/** What the uploads of one client share; the client owns it, and hands it to each upload. */
export interface BlobUploadContext {
  verbs: BlobVerbs;
  /** `registry/repository`, for messages. */
  where: string;
  settings: Readonly<UploadSettings>;
  policy: RetryPolicy;
  /** The chunk buffers of the client's uploads (chunk-buffers.ts). */
  buffers: ChunkBufferPool;
  /** Once the registry refused a chunked upload, later blobs go up in one request. */
  chunks: { refused: boolean };
}

export interface PushBlobOptions {
  /** Bytes of this blob the registry holds or is being sent, as they go; goes back to 0 on a restart. */
  onProgress?(bytesSent: number): void;
  /** A chunk sent again, or the blob started over, as it happens (progress line, --json). */
  onEvent?(event: BlobPushEvent): void;
  /** Cancels the upload (the open session is abandoned with a DELETE); the push then rejects with the abort reason. */
  signal?: AbortSignal;
  /** Repositories of the same registry that may hold the blob, tried in order for a mount (needs `upload.digest`). */
  mountFrom?: string[];
  /** How errors name the blob (`layer 3`). Default: its digest when known, else `a blob`. */
  label?: string;
}

export type BlobPushEvent =
  | { kind: 'retry'; reason: string; failures: number }
  /** The blob starts over; `chunkSize` undefined: the whole blob in one request. */
  | { kind: 'restart'; reason: string; restarts: number; chunkSize: number | undefined };

/** A blob that could not be pushed, said the way a user reads it (which blob, where, what the registry did). */
class BlobPushFailed extends UserError {}

/** Restarts of one blob in all, progress or not: a registry that never finishes one must not loop forever. */
export const maxRestarts = 20;

export async function pushBlob(context: BlobUploadContext, upload: BlobUpload, options: PushBlobOptions = {}): Promise<PushedBlob> {
  return new BlobPush(context, upload, options).run();
}

class BlobPush {
  private buffer: Buffer | undefined;
  private readonly client: BlobVerbs;
  private readonly policy: RetryPolicy;
  private readonly settings: Readonly<UploadSettings>;
  /** The session being used, for the DELETE when the push is cancelled or fails. */
  private state: SessionState | undefined;
  /** Chunk size for the next session; undefined once the blob goes up in one request. */
  private chunkSize: number | undefined;
  /** The largest chunk the registry announced (`OCI-Chunk-Max-Length`). */
  private serverMaxChunk: number | undefined;
  /** The whole blob, once an attempt read all of it: its digest is then known even when computed. */
  private seen: { digest: string; size: number } | undefined;

  constructor(
    private readonly context: BlobUploadContext,
    private readonly upload: BlobUpload,
    private readonly options: PushBlobOptions,
  ) {
    this.client = context.verbs;
    this.policy = context.policy;
    this.settings = context.settings;
    this.chunkSize = context.settings.chunkSize;
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
      let withoutProgress = 0;
      for (let restarts = 0; ; restarts++) {
        try {
          session ??= await this.startSession();
          return await this.uploadIn(session);
        } catch (error) {
          session = undefined;
          const restartable = error instanceof UploadSessionLostError || error instanceof RestartBlob;
          if (!restartable || signal?.aborted) throw error;
          withoutProgress = (this.state?.accepted ?? 0) > 0 ? 1 : withoutProgress + 1;
          if (withoutProgress >= this.policy.uploadAttempts || restarts + 1 >= maxRestarts) throw this.sessionsSpent(error, restarts + 1, withoutProgress);
          this.escalate();
          await this.abandonSession();
          this.options.onProgress?.(0);
          // A session lost after its closing PUT may still have committed the blob.
          const known = digest ?? this.seen?.digest;
          const committed = known ? await this.client.headBlob(known, { signal }) : undefined;
          if (known && committed) return this.done('pushed', known, committed.size);
          this.options.onEvent?.({ kind: 'restart', reason: describeFailure(error.cause ?? error), restarts: restarts + 1, chunkSize: this.chunkSize });
          await this.policy.wait(this.policy.delayAfter(withoutProgress), signal);
        }
      }
    } catch (error) {
      await this.abandonSession();
      throw this.failure(error);
    } finally {
      if (this.buffer) this.context.buffers.release(this.buffer);
      this.buffer = undefined;
    }
  }

  /**
   * Larger chunks after a lost session: twice the size, up to what a chunk buffer may hold
   * (the configured size, at least 96 MiB), then the whole blob in one request. A registry that
   * caps chunks (GHCR, ECR, `OCI-Chunk-Max-Length`) keeps its cap.
   */
  private escalate(): void {
    // A blob that fits in one request goes in one request whatever the chunk size.
    if (this.seen && this.seen.size <= this.settings.monolithicThreshold) this.chunkSize = undefined;
    if (this.chunkSize === undefined) return;
    const { knownLimits, chunkSize: configured } = this.settings;
    const cap = knownLimits.maxChunk ?? this.serverMaxChunk;
    const doubled = this.chunkSize * 2;
    if (cap !== undefined) this.chunkSize = Math.min(doubled, cap);
    else if (doubled > Math.max(configured, defaultChunkSize) || (this.upload.size !== undefined && this.chunkSize >= this.upload.size)) this.chunkSize = undefined;
    else this.chunkSize = doubled;
  }

  /** A mount from `mountFrom` (blob-mount.ts); a session the registry opened instead is used for the upload. */
  private async tryMounts(): Promise<PushedBlob | UploadSession | undefined> {
    const { digest } = this.upload;
    const sources = this.options.mountFrom ?? [];
    if (!digest || sources.length === 0) return undefined;
    const mounted = await this.client.mountFrom(digest, sources, { signal: this.options.signal, keepSession: true });
    if (mounted.outcome === 'not-mounted') return mounted.session;
    const size = this.upload.size ?? (await this.client.headBlob(digest, { signal: this.options.signal }))?.size ?? 0;
    return this.done('mounted', digest, size);
  }

  /** One pass over the blob's bytes in one upload session. */
  private async uploadIn(session: UploadSession): Promise<PushedBlob> {
    const state: SessionState = { location: session.location, confirmed: 0, accepted: 0 };
    this.state = state;
    this.serverMaxChunk = session.maxChunkLength;
    const { monolithicThreshold, knownLimits } = this.settings;
    const chunked = !this.context.chunks.refused && this.chunkSize !== undefined;
    const chunkSize = effectiveChunkSize({ configured: this.chunkSize ?? 1, known: knownLimits, serverMin: session.minChunkLength, serverMax: session.maxChunkLength });
    const { size, digest } = this.upload;
    if (chunked && this.upload.rereadable && size !== undefined && size > monolithicThreshold && digest) {
      const window = new RereadWindow(() => this.upload.open(), await this.upload.open(), size, chunkSize);
      try {
        const pushed = await uploadChunks(this.chunkArgs(window, state, chunkSize, () => digest));
        this.state = undefined;
        return this.done('pushed', pushed.digest, pushed.size);
      } catch (error) {
        if (!(error instanceof ChunksRefused)) throw error;
        window.destroy();
        const reader = new BlobReader(await this.upload.open(), { hash: false });
        try {
          return await this.afterChunksRefused(state, reader, Buffer.alloc(0));
        } finally {
          reader.destroy();
        }
      } finally {
        window.destroy();
      }
    }
    const reader = new BlobReader(await this.upload.open(), { hash: !this.upload.digest });
    try {
      return await this.readerUpload(state, reader, chunked, chunkSize);
    } finally {
      if (reader.finished) this.seen = { digest: this.upload.digest ?? reader.digest(), size: reader.bytesRead };
      reader.destroy();
    }
  }

  /** An upload from a reader of the blob: in one request, or in chunks through a buffer. */
  private async readerUpload(state: SessionState, reader: BlobReader, chunked: boolean, chunkSize: number): Promise<PushedBlob> {
    const { monolithicThreshold } = this.settings;
    const { size } = this.upload;
    if (!chunked) return await this.inOneRequest(state, reader, Buffer.alloc(0));
    // A small probe first, unless the size says the blob is bigger: a blob that ends within it
    // goes up in one request without taking one of the (few, large) pooled chunk buffers, so
    // small layers never wait behind big ones.
    const probe = Buffer.allocUnsafe(size !== undefined && size > monolithicThreshold ? 0 : Math.max(1, Math.min(monolithicThreshold, chunkSize)));
    const probed = await reader.fill(probe);
    if (probe.length > 0 && probed <= monolithicThreshold && (await reader.atEnd())) {
      const digest = this.upload.digest ?? reader.digest();
      await closeWithBody(this.client.finishUpload(state.location, digest, { body: probe.subarray(0, probed), length: probed }, { signal: this.options.signal }));
      this.state = undefined;
      return this.done('pushed', digest, probed);
    }
    const window = new ChunkWindow(await this.chunkBuffer(chunkSize), reader, this.upload.size);
    window.preload(probe.subarray(0, probed));
    if (!window.streams) await window.fill();
    try {
      const pushed = await uploadChunks(this.chunkArgs(window, state, chunkSize, () => this.upload.digest ?? reader.digest()));
      this.state = undefined;
      return this.done('pushed', pushed.digest, pushed.size);
    } catch (error) {
      if (!(error instanceof ChunksRefused)) throw error;
      return await this.afterChunksRefused(state, reader, window.head());
    }
  }

  /**
   * A new upload session, known before anything can cancel it: a POST the registry answered but
   * this push never heard (cancelled mid-way) would leave a session nobody can close. The POST is
   * quick and has no body; a cancel that came meanwhile takes effect right after, and the session
   * is then closed like any other.
   */
  private async startSession(): Promise<UploadSession> {
    const session = await this.client.startUpload();
    this.state = { location: session.location, confirmed: 0, accepted: 0 };
    this.options.signal?.throwIfAborted();
    return session;
  }

  /** Cog's rule too: a registry that refuses the first ranged PATCH does not do chunks. `head`: bytes already read. */
  private async afterChunksRefused(state: SessionState, reader: BlobReader, head: Buffer): Promise<PushedBlob> {
    this.context.chunks.refused = true;
    await this.client.cancelUpload(state.location).catch(() => undefined);
    await this.startSession();
    return this.inOneRequest(this.state!, reader, head);
  }

  private chunkArgs(window: UploadWindow, state: SessionState, chunkSize: number, digest: () => string): ChunkUploadArgs {
    return {
      client: this.client,
      knownLimits: this.settings.knownLimits,
      policy: this.policy,
      window,
      state,
      chunkSize,
      digest,
      signal: this.options.signal,
      onProgress: this.options.onProgress,
      onRetry: (retry: ChunkRetry) => this.options.onEvent?.({ kind: 'retry', ...retry }),
    };
  }

  /**
   * The whole blob in one request, for registries that refuse chunks and for sessions lost too
   * often: PUT `?digest=` with the body when the digest is known; else Docker's streaming PATCH
   * (one PATCH, no Content-Range, the digest computed on the way), then PUT `?digest=`. `head`
   * holds bytes already read.
   */
  private async inOneRequest(state: SessionState, reader: BlobReader, head: Buffer): Promise<PushedBlob> {
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
        await closeWithBody(this.client.finishUpload(state.location, this.upload.digest, { body, length }, { signal }));
        this.state = undefined;
        return this.done('pushed', this.upload.digest, reader.bytesRead);
      }
      const answer = await this.client.uploadChunk(state.location, { body, ...(length === undefined ? {} : { length }) }, { signal });
      state.location = answer.location;
      const digest = reader.digest();
      await this.client.finishUpload(answer.location, digest, undefined, { signal });
      this.state = undefined;
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
    const pool = this.context.buffers;
    if (this.buffer && this.buffer.length < wanted) {
      pool.release(this.buffer);
      this.buffer = undefined;
    }
    this.buffer ??= await pool.acquire(wanted);
    return this.buffer.subarray(0, wanted);
  }

  /**
   * Abandons the open session (DELETE), so a cancelled or failed push leaves none behind that it
   * could close. Best effort, and quick: the push is ending either way.
   */
  private async abandonSession(): Promise<void> {
    const state = this.state;
    this.state = undefined;
    if (!state) return;
    await this.client.cancelUpload(state.location, { signal: AbortSignal.timeout(5000) }).catch(() => undefined);
  }

  /** The blob gave up starting over: say what the registry kept doing, with its last answer. */
  private sessionsSpent(error: UploadSessionLostError | RestartBlob, uploads: number, inARow: number): BlobPushFailed {
    const last = error.cause instanceof Error ? error.cause.message : error.message;
    const pattern = inARow >= uploads ? `${uploads} time(s) in a row, before it kept any chunk` : `${uploads} time(s) (${inARow} in a row without progress)`;
    return new BlobPushFailed(`could not push ${this.options.label ?? this.upload.digest ?? 'a blob'} to ${this.context.where}: the registry lost the upload session ${pattern}; last: ${last}`, {
      hint: 'a proxy or the network is cutting uploads, or the registry is failing; a later `cog push` starts again where the registry kept layers',
      cause: error,
    });
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
    if (this.options.signal?.aborted || error instanceof BlobPushFailed) return error;
    const inner = error instanceof RestartBlob || error instanceof UploadSessionLostError ? (error.cause ?? error) : error;
    if (!(inner instanceof UserError) && !(error instanceof RestartBlob)) return error;
    const name = this.options.label ?? this.upload.digest ?? 'a blob';
    const { where } = this.context;
    const message = inner instanceof Error ? inner.message : String(inner);
    return new BlobPushFailed(`could not push ${name} to ${where}: ${message}`, {
      hint: inner instanceof UserError ? inner.hint : undefined,
      cause: error,
    });
  }
}
