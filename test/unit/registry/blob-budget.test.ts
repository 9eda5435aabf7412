import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { BlobPushEvent } from '../../../src/registry/blob-push.js';
import { RegistryClient, type UploadOptions } from '../../../src/registry/client.js';
import type { RetryOptions } from '../../../src/registry/retry-policy.js';
import { KiB, MiB, testBlob, testTransport } from '../../support/registry/blobs.js';
import { startFakeRegistry, type Fault, type FakeRegistryOptions, type FaultContext, type LogEntry } from '../../support/registry/fake-registry.js';

/**
 * How an upload spends its time and its memory, and when it gives up: chunks sent while they are
 * read, chunks re-read instead of kept, larger chunks after lost sessions, a budget that counts
 * failures without progress, and no session left open by a cancelled upload.
 */

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(registryOptions: FakeRegistryOptions, upload: UploadOptions = {}, retry: RetryOptions = {}) {
  const registry = await startFakeRegistry(registryOptions);
  const client = new RegistryClient({
    registry: registry.host,
    repository: 'alice/model',
    credentials: null,
    transport: testTransport([], [], retry),
    upload: { chunkSize: 1 * MiB, knownLimits: {}, ...upload },
  });
  cleanups.push(() => client.close(), () => registry.close());
  return { registry, client };
}

const bytesReceived = (log: LogEntry[]) => log.filter((e) => e.method === 'PATCH' || e.method === 'PUT').reduce((sum, e) => sum + e.bodyBytes, 0);

/** The n-th requests of `method` (1-based) get `fault`. */
function onRequests(method: string, numbers: number[], fault: Fault): (context: FaultContext) => Fault | undefined {
  return (context) => (context.method === method && numbers.includes(context.methodCount) ? fault : undefined);
}

describe('reading while sending', () => {
  it('with the size known, a PATCH starts before its chunk has been read', async () => {
    let patchStarted!: () => void;
    const started = new Promise<void>((resolve) => (patchStarted = resolve));
    const { registry, client } = await setup({ fault: (c) => void (c.method === 'PATCH' && patchStarted()) });
    const blob = testBlob(3 * MiB);
    let gateTimedOut = false;
    // The layer gives 256 KiB, then waits for a PATCH to begin before giving the rest.
    const upload = {
      ...blob,
      open: async () =>
        Readable.from(
          (async function* () {
            yield blob.bytes.subarray(0, 256 * KiB);
            await Promise.race([started, new Promise((resolve) => setTimeout(resolve, 2000)).then(() => (gateTimedOut = true))]);
            for (let at = 256 * KiB; at < blob.bytes.length; at += 64 * KiB) yield blob.bytes.subarray(at, at + 64 * KiB);
          })(),
          { objectMode: false },
        ),
    };
    expect(await client.pushBlob(upload)).toMatchObject({ outcome: 'pushed', digest: blob.digest });
    expect(gateTimedOut).toBe(false);
    expect(registry.blobs.get('alice/model')?.get(blob.digest!)).toEqual(blob.bytes);
  });
});

describe('a blob that can be read again needs no chunk buffer', () => {
  it('sends chunks straight from the layer; after a cut, reads it again and skips what the registry kept', async () => {
    // A pool with no buffer at all: an upload that asked for one would wait forever.
    const { registry, client } = await setup(
      { onCut: 'keep-partial', fault: onRequests('PATCH', [2], { kind: 'cut', afterBytes: 300 * KiB }) },
      { chunkBuffers: 0 },
    );
    const blob = Object.assign(testBlob(4 * MiB + 17), { rereadable: true });
    expect(await client.pushBlob(blob)).toMatchObject({ outcome: 'pushed', digest: blob.digest });
    expect(registry.blobs.get('alice/model')?.get(blob.digest!)).toEqual(blob.bytes);
    expect(bytesReceived(registry.log)).toBe(blob.bytes.length); // nothing sent twice
    expect(registry.sessionsStarted()).toBe(1);
    expect(blob.opens).toBe(2); // the layer was read again once, for the resumed chunk
  });
});

describe('lost sessions', () => {
  it('a registry that keeps losing sessions gets larger chunks, then the whole blob in one request', async () => {
    // Every PATCH is cut and the session lost (distribution 2.8 after a cut): only a blob that
    // goes up without PATCH gets through.
    const { registry, client } = await setup({ onCut: 'lose-session', fault: (c) => (c.method === 'PATCH' ? { kind: 'cut', afterBytes: 10 * KiB } : undefined) });
    const blob = testBlob(3 * MiB);
    const events: BlobPushEvent[] = [];
    expect(await client.pushBlob(blob, { onEvent: (event) => events.push(event) })).toMatchObject({ outcome: 'pushed', digest: blob.digest });
    const restarts = events.filter((e) => e.kind === 'restart');
    expect(restarts.map((e) => e.chunkSize)).toEqual([2 * MiB, 4 * MiB, undefined]);
    expect(restarts.every((e) => e.reason === '404 BLOB_UPLOAD_INVALID')).toBe(true);
    expect(registry.blobs.get('alice/model')?.get(blob.digest!)).toEqual(blob.bytes);
    expect(registry.log.filter((e) => e.method === 'PUT').at(-1)?.bodyBytes).toBe(3 * MiB);
  });

  it('keeps a registry\'s announced chunk cap while it grows chunks', async () => {
    const { client } = await setup({ chunkMaxLength: 2 * MiB, onCut: 'lose-session', fault: onRequests('PATCH', [1, 2], { kind: 'cut', afterBytes: 10 * KiB }) });
    const events: BlobPushEvent[] = [];
    await client.pushBlob(testBlob(5 * MiB), { onEvent: (event) => events.push(event) });
    expect(events.filter((e) => e.kind === 'restart').map((e) => e.chunkSize)).toEqual([2 * MiB, 2 * MiB]);
  });

  it('counts failures without progress: sessions lost after some chunks went through do not use up the budget', async () => {
    // Two attempts only; every other PATCH loses the session, each time after one chunk was taken.
    const { registry, client } = await setup(
      { chunkMaxLength: 1 * MiB, onCut: 'lose-session', fault: onRequests('PATCH', [2, 4, 6], { kind: 'cut', afterBytes: 10 * KiB }) },
      {},
      { attempts: 2 },
    );
    const blob = testBlob(2 * MiB);
    const events: BlobPushEvent[] = [];
    expect(await client.pushBlob(blob, { onEvent: (event) => events.push(event) })).toMatchObject({ outcome: 'pushed' });
    expect(events.filter((e) => e.kind === 'restart')).toHaveLength(3);
    expect(registry.blobs.get('alice/model')?.get(blob.digest!)).toEqual(blob.bytes);
  });

  it('gives up after as many failures in a row without progress as the policy allows', async () => {
    const { client } = await setup(
      { chunkMaxLength: 1 * MiB, onCut: 'lose-session', fault: (c) => (c.method === 'PATCH' ? { kind: 'cut', afterBytes: 10 * KiB } : undefined) },
      {},
      { attempts: 3 },
    );
    const events: BlobPushEvent[] = [];
    const error = await client.pushBlob(testBlob(2 * MiB), { label: 'layer 8', onEvent: (event) => events.push(event) }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /^could not push layer 8 to 127\.0\.0\.1:\d+\/alice\/model: the registry lost the upload session 3 time\(s\) in a row, before it kept any chunk; last: GET \/v2\/alice\/model\/blobs\/uploads\/u\d on 127\.0\.0\.1:\d+: 404 Not Found: BLOB_UPLOAD_INVALID/,
    );
    expect(events.filter((e) => e.kind === 'restart')).toHaveLength(2);
  });
});

describe('a cancelled upload', () => {
  it('closes a session whose POST the cancel came during: the answer is awaited, then the DELETE sent', async () => {
    const controller = new AbortController();
    // The cancel comes while the registry handles the POST that opens the session.
    const { registry, client } = await setup({ fault: (c) => void (c.method === 'POST' && controller.abort()) });
    const error = await client.pushBlob(testBlob(4 * MiB), { signal: controller.signal }).catch((e: unknown) => e);
    expect((error as Error).name).toBe('AbortError');
    expect(registry.sessionsStarted()).toBe(1);
    expect(registry.log.filter((e) => e.method === 'DELETE' && e.path.includes('/blobs/uploads/'))).toHaveLength(1);
    expect(registry.log.some((e) => e.method === 'PATCH')).toBe(false);
  });

  it('abandons its session with a DELETE', async () => {
    const controller = new AbortController();
    const { registry, client } = await setup({});
    const error = await client
      .pushBlob(testBlob(4 * MiB), { signal: controller.signal, onProgress: (n) => n > MiB && controller.abort() })
      .catch((e: unknown) => e);
    expect((error as Error).name).toBe('AbortError');
    const deleted = registry.log.filter((e) => e.method === 'DELETE' && e.path.includes('/blobs/uploads/'));
    expect(deleted).toHaveLength(1);
  });
});
