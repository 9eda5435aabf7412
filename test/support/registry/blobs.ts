import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { RetryOptions } from '../../../src/registry/retry-policy.js';
import type { BlobUpload, RequestRecord } from '../../../src/registry/types.js';

export const KiB = 1024;
export const MiB = 1024 * 1024;

export const digestOf = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** A blob upload over bytes in memory that counts how often it was opened (a restart opens again). */
export interface TestBlob extends BlobUpload {
  bytes: Buffer;
  opens: number;
}

/**
 * A blob of random bytes, streamed in 64 KiB pieces like a file. `digest`/`size` say whether
 * they are known in advance (a compressed layer's are not, on its first push).
 */
export function testBlob(size: number, known: { digest?: boolean; size?: boolean } = {}): TestBlob {
  const bytes = randomBytes(size);
  const blob: TestBlob = {
    bytes,
    opens: 0,
    digest: known.digest === false ? undefined : digestOf(bytes),
    size: known.size === false ? undefined : size,
    open: () => {
      blob.opens++;
      return Promise.resolve(Readable.from(pieces(bytes, 64 * KiB), { objectMode: false }));
    },
  };
  return blob;
}

function* pieces(bytes: Buffer, size: number): Generator<Buffer> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

/** Retries without waiting: the waits asked for are recorded instead. */
export function instantRetries(waits: number[] = [], overrides: RetryOptions = {}): RetryOptions {
  return {
    baseDelayMs: 100,
    random: () => 0.5,
    sleep: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
    ...overrides,
  };
}

/** Transport options for tests: instant retries, short timeouts, every request recorded. */
export function testTransport(records: RequestRecord[], waits: number[] = [], retry: RetryOptions = {}) {
  return {
    retry: instantRetries(waits, retry),
    timeouts: { connectMs: 2000, headersMs: 2000, bodyIdleMs: 2000 },
    onRequest: (record: RequestRecord) => records.push(record),
  };
}
