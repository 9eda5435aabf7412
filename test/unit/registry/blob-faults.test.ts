import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { RegistryClient } from '../../../src/registry/client.js';
import type { RequestRecord } from '../../../src/registry/types.js';
import { KiB, MiB, testBlob, testTransport } from '../../support/registry/blobs.js';
import { startFakeRegistry, type Fault, type FakeRegistryOptions, type FaultContext, type LogEntry } from '../../support/registry/fake-registry.js';

/**
 * Faults in the middle of a chunked upload, against the scripted registry. Assertions are on the
 * bytes the registry received and stored, not on the order of calls.
 */

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const chunk = 1 * MiB;

async function setup(registryOptions: FakeRegistryOptions, timeouts?: { headersMs: number }) {
  const registry = await startFakeRegistry(registryOptions);
  const records: RequestRecord[] = [];
  const waits: number[] = [];
  const transport = testTransport(records, waits);
  const client = new RegistryClient({
    registry: registry.host,
    repository: 'alice/model',
    credentials: null,
    transport: timeouts ? { ...transport, timeouts: { ...transport.timeouts, ...timeouts } } : transport,
    upload: { chunkSize: chunk, knownLimits: {} },
  });
  cleanups.push(() => client.close(), () => registry.close());
  return { registry, client, records, waits };
}

/** A fault on the n-th request matching `method` (once). */
function once(method: string, n: number, fault: Fault): (context: FaultContext) => Fault | undefined {
  return (context) => (context.method === method && context.methodCount === n ? fault : undefined);
}

/** Bytes of blob data the registry read from request bodies (PATCH and PUT). */
const bytesReceived = (log: LogEntry[]) => log.filter((e) => e.method === 'PATCH' || e.method === 'PUT').reduce((sum, e) => sum + e.bodyBytes, 0);
/** The stored ranges, in order: they must tile the blob. */
const storedRanges = (log: LogEntry[]) => log.flatMap((e) => (e.stored ? [e.stored] : []));

function expectTiled(ranges: Array<[number, number]>, size: number): void {
  let at = 0;
  for (const [start, end] of ranges) {
    expect(start).toBe(at);
    at = end;
  }
  expect(at).toBe(size);
}

describe('a chunk that fails resumes from the offset the registry reports', () => {
  it('cut mid-PATCH, registry keeps what it received: only the missing bytes are sent', async () => {
    const { registry, client } = await setup({ onCut: 'keep-partial', fault: once('PATCH', 2, { kind: 'cut', afterBytes: 300 * KiB }) });
    const size = 4 * MiB + 17;
    const blob = testBlob(size);
    expect(await client.pushBlob(blob)).toMatchObject({ outcome: 'pushed', digest: blob.digest });
    expect(registry.blobs.get('alice/model')?.get(blob.digest!)).toEqual(blob.bytes);
    expectTiled(storedRanges(registry.log), size);
    // Nothing was sent twice: the resumed PATCH starts at the byte after the ones kept.
    expect(bytesReceived(registry.log)).toBe(size);
    expect(registry.log.filter((e) => e.method === 'PATCH').map((e) => e.contentRange)).toContain(`${chunk + 300 * KiB}-${2 * chunk - 1}`);
    expect(registry.log.filter((e) => e.method === 'GET' && e.path.includes('/uploads/'))).toHaveLength(1);
    expect(registry.sessionsStarted()).toBe(1);
    expect(blob.opens).toBe(1);
  });

  it('cut mid-PATCH, registry drops the partial chunk: at most that one chunk is sent again', async () => {
    const { registry, client } = await setup({ onCut: 'discard-partial', fault: once('PATCH', 3, { kind: 'cut', afterBytes: 700 * KiB }) });
    const size = 4 * MiB;
    const blob = testBlob(size, { digest: false });
    await client.pushBlob(blob);
    expectTiled(storedRanges(registry.log), size);
    expect(bytesReceived(registry.log)).toBeLessThanOrEqual(size + chunk);
    expect(registry.sessionsStarted()).toBe(1);
    expect(blob.opens).toBe(1);
  });

  it('a 500 after the registry stored the chunk: the status check moves on without re-sending', async () => {
    const { registry, client } = await setup({ fault: once('PATCH', 2, { kind: 'status', status: 500, when: 'after-accept' }) });
    const size = 3 * MiB + 5;
    const blob = testBlob(size);
    await client.pushBlob(blob);
    expect(bytesReceived(registry.log)).toBe(size);
    expectTiled(storedRanges(registry.log), size);
  });

  it('a 503 with Retry-After before the registry read the chunk: waits as told, sends the chunk again', async () => {
    const { registry, client, waits } = await setup({
      fault: once('PATCH', 1, { kind: 'status', status: 503, headers: { 'retry-after': '2' } }),
    });
    const blob = testBlob(2 * MiB + 3);
    await client.pushBlob(blob);
    expect(waits).toEqual([2000]);
    expect(registry.blobs.get('alice/model')?.get(blob.digest!)).toEqual(blob.bytes);
    expect(bytesReceived(registry.log)).toBe(2 * MiB + 3 + chunk);
  });

  it('a stalled answer times out; the upload resumes in the same session', async () => {
    const { registry, client, records } = await setup({ onCut: 'keep-partial', fault: once('PATCH', 2, { kind: 'stall' }) }, { headersMs: 300 });
    const blob = testBlob(3 * MiB);
    await client.pushBlob(blob);
    expect(records.find((r) => r.status === 'error')?.error).toMatch(/timed out/);
    expect(registry.blobs.get('alice/model')?.get(blob.digest!)).toEqual(blob.bytes);
    expect(registry.sessionsStarted()).toBe(1);
  });

  it('a 413 from a proxy halves the chunk size', async () => {
    const registry = await startFakeRegistry({
      fault: (c) => (c.method === 'PATCH' && c.contentRange && rangeLength(c.contentRange) > 2 * MiB ? { kind: 'status', status: 413 } : undefined),
    });
    const client = new RegistryClient({ registry: registry.host, repository: 'alice/model', credentials: null, transport: testTransport([]), upload: { chunkSize: 4 * MiB, knownLimits: {} } });
    cleanups.push(() => client.close(), () => registry.close());
    const blob = testBlob(5 * MiB);
    await client.pushBlob(blob);
    const accepted = registry.log.filter((e) => e.method === 'PATCH' && e.stored).map((e) => e.bodyBytes);
    expect(accepted).toEqual([2 * MiB, 2 * MiB, 1 * MiB]);
  });
});

describe('a lost upload session starts only that blob over', () => {
  it('distribution forgets the session after a cut: the blob is read again from byte 0, the other blob is not', async () => {
    // The first PATCH of the first blob is cut; the registry drops the session (404 BLOB_UPLOAD_INVALID).
    const { registry, client } = await setup({ onCut: 'lose-session', fault: once('PATCH', 1, { kind: 'cut', afterBytes: 100 * KiB }) });
    const first = testBlob(3 * MiB);
    const second = testBlob(2 * MiB + 1);
    const progress: number[] = [];
    const [a, b] = await Promise.all([client.pushBlob(first, { onProgress: (n) => progress.push(n) }), client.pushBlob(second)]);
    expect([a.outcome, b.outcome]).toEqual(['pushed', 'pushed']);
    expect(first.opens).toBe(2);
    expect(second.opens).toBe(1);
    expect(registry.sessionsStarted()).toBe(3);
    expect(registry.log.some((e) => e.status === 404 && e.path.includes('/uploads/'))).toBe(true);
    expect(progress).toContain(0);
    expect(registry.blobs.get('alice/model')?.get(first.digest!)).toEqual(first.bytes);
  });

  it('a lost answer to the closing PUT: the HEAD finds the blob committed, nothing is sent again', async () => {
    const { registry, client } = await setup({ fault: once('PUT', 1, { kind: 'status', status: 502, when: 'after-accept' }) });
    const blob = testBlob(2 * MiB);
    expect(await client.pushBlob(blob)).toMatchObject({ outcome: 'pushed', digest: blob.digest, size: 2 * MiB });
    expect(blob.opens).toBe(1);
    expect(registry.sessionsStarted()).toBe(1);
  });
});

describe('giving up', () => {
  it('after the last attempt: a UserError naming the blob, the request and the registry answer', async () => {
    const { client } = await setup({ fault: (c) => (c.method === 'PATCH' ? { kind: 'status', status: 500, code: 'BLOB_UPLOAD_INVALID' } : undefined) });
    const blob = testBlob(2 * MiB);
    const error = await client.pushBlob(blob, { label: 'layer 3' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    const message = (error as Error).message;
    expect(message).toMatch(/^could not push layer 3 to 127\.0\.0\.1:\d+\/alice\/model: PATCH \/v2\/alice\/model\/blobs\/uploads\/u1 on 127\.0\.0\.1:\d+: 500 Internal Server Error: BLOB_UPLOAD_INVALID injected 500 \(after 10 attempts\)$/);
    expect(message).not.toContain('_state');
  });

  it('a failing blob stream (the image reader) passes through unchanged, not as a registry error', async () => {
    const { client } = await setup({});
    const broken = new Error('layer tar is truncated');
    const upload = {
      open: () =>
        Promise.resolve(
          Readable.from(
            (async function* () {
              yield Buffer.alloc(2 * MiB, 1);
              throw broken;
            })(),
            { objectMode: false },
          ),
        ),
    };
    await expect(client.pushBlob(upload)).rejects.toBe(broken);
  });

  it('a cancelled push rejects with the abort, not a registry error', async () => {
    const controller = new AbortController();
    const { client } = await setup({});
    const pushing = client.pushBlob(testBlob(4 * MiB), { signal: controller.signal, onProgress: (n) => n > MiB && controller.abort() });
    const error = await pushing.catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(UserError);
    expect((error as Error).name).toBe('AbortError');
  });
});

function rangeLength(range: string): number {
  const [start, end] = range.split('-').map(Number);
  return end! - start! + 1;
}
