import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { RegistryClient, type UploadOptions } from '../../../src/registry/client.js';
import type { RequestRecord } from '../../../src/registry/types.js';
import { KiB, MiB, digestOf, testBlob, testTransport } from '../../support/registry/blobs.js';
import { startFakeRegistry, type FakeRegistryOptions, type LogEntry } from '../../support/registry/fake-registry.js';
import { startScriptedServer } from '../../support/registry/scripted-server.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(registryOptions: FakeRegistryOptions = {}, upload: UploadOptions = { chunkSize: 1 * MiB }) {
  const registry = await startFakeRegistry(registryOptions);
  const records: RequestRecord[] = [];
  const client = new RegistryClient({ registry: registry.host, repository: 'alice/model', credentials: null, transport: testTransport(records), upload: { knownLimits: {}, ...upload } });
  cleanups.push(() => client.close(), () => registry.close());
  return { registry, client, records };
}

const uploads = (log: LogEntry[]) => log.filter((e) => e.path.includes('/blobs/uploads/'));
const requestLine = (e: LogEntry) => `${e.method}${e.contentRange ? ` ${e.contentRange}` : ''}`;

describe('pushBlob: small blobs in one request', () => {
  it('HEADs, then POSTs and PUTs the body with the digest (no PATCH)', async () => {
    const { registry, client } = await setup();
    const blob = testBlob(10 * KiB);
    const progress: number[] = [];
    const pushed = await client.pushBlob(blob, { onProgress: (n) => progress.push(n) });
    expect(pushed).toEqual({ digest: blob.digest, size: 10 * KiB, outcome: 'pushed' });
    expect(registry.log.map((e) => e.method)).toEqual(['GET', 'HEAD', 'POST', 'PUT']);
    expect(registry.log.at(-1)!.query.get('digest')).toBe(blob.digest);
    expect(registry.blobs.get('alice/model')?.get(blob.digest!)).toEqual(blob.bytes);
    expect(progress.at(-1)).toBe(10 * KiB);
  });

  it('computes the digest of a blob whose digest and size are not known', async () => {
    const { registry, client } = await setup();
    const blob = testBlob(300 * KiB, { digest: false, size: false });
    const pushed = await client.pushBlob(blob);
    expect(pushed.digest).toBe(digestOf(blob.bytes));
    expect(registry.log.map((e) => e.method)).toEqual(['GET', 'POST', 'PUT']);
  });

  it('does not upload a blob the repository has', async () => {
    const { registry, client } = await setup();
    const blob = testBlob(5 * KiB);
    await client.pushBlob(blob);
    const progress: number[] = [];
    expect(await client.pushBlob(blob, { onProgress: (n) => progress.push(n) })).toEqual({ digest: blob.digest, size: 5 * KiB, outcome: 'exists' });
    expect(registry.log.filter((e) => e.method === 'POST')).toHaveLength(1);
    expect(blob.opens).toBe(1);
    expect(progress).toEqual([5 * KiB]);
  });
});

describe('pushBlob: chunked', () => {
  it.each(['relative', 'absolute'] as const)('PATCHes contiguous chunks following each %s Location, then PUTs ?digest=', async (locations) => {
    const { registry, client } = await setup({ locations });
    const size = 3 * MiB + 123;
    const blob = testBlob(size, { digest: false, size: false });
    const progress: number[] = [];
    const pushed = await client.pushBlob(blob, { onProgress: (n) => progress.push(n) });
    expect(pushed).toEqual({ digest: digestOf(blob.bytes), size, outcome: 'pushed' });
    expect(uploads(registry.log).map(requestLine)).toEqual([
      'POST',
      `PATCH 0-${MiB - 1}`,
      `PATCH ${MiB}-${2 * MiB - 1}`,
      `PATCH ${2 * MiB}-${3 * MiB - 1}`,
      `PATCH ${3 * MiB}-${size - 1}`,
      'PUT',
    ]);
    // Each request went to the Location of the previous answer (its _state moves on).
    const states = uploads(registry.log).slice(1).map((e) => e.query.get('_state'));
    expect(states).toEqual(['0', '1', '2', '3', '4']);
    expect(registry.log.at(-1)!.query.get('digest')).toBe(pushed.digest);
    expect(registry.blobs.get('alice/model')?.get(pushed.digest)).toEqual(blob.bytes);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(size);
  });

  it('sends octet-stream chunks with an inclusive Content-Range and no "bytes " prefix', async () => {
    const { registry, client } = await setup();
    await client.pushBlob(testBlob(2 * MiB + 1));
    const patch = registry.log.find((e) => e.method === 'PATCH')!;
    expect(patch.contentRange).toMatch(/^0-1048575$/);
    expect(patch.bodyBytes).toBe(MiB);
  });

  it('lowers the chunk size to the OCI-Chunk-Max-Length the registry announces', async () => {
    const { registry, client } = await setup({ chunkMaxLength: 256 * KiB });
    const blob = testBlob(1 * MiB + 10);
    await client.pushBlob(blob);
    const patches = registry.log.filter((e) => e.method === 'PATCH');
    expect(patches).toHaveLength(5);
    expect(Math.max(...patches.map((p) => p.bodyBytes))).toBe(256 * KiB);
    expect(registry.blobs.get('alice/model')?.get(blob.digest!)).toEqual(blob.bytes);
  });

  it('uses the per-registry limits it knows', async () => {
    const { registry, client } = await setup({}, { chunkSize: 4 * MiB, knownLimits: { maxChunk: 1 * MiB } });
    await client.pushBlob(testBlob(2 * MiB + 5));
    expect(Math.max(...registry.log.filter((e) => e.method === 'PATCH').map((p) => p.bodyBytes))).toBe(MiB);
  });

  it('sends the last chunk in the closing PUT for registries that need it (ECR)', async () => {
    const { registry, client } = await setup({}, { chunkSize: 1 * MiB, knownLimits: { lastChunkInPut: true } });
    const blob = testBlob(2 * MiB + 5, { digest: false });
    await client.pushBlob(blob);
    expect(uploads(registry.log).map(requestLine)).toEqual(['POST', `PATCH 0-${MiB - 1}`, `PATCH ${MiB}-${2 * MiB - 1}`, `PUT ${2 * MiB}-${2 * MiB + 4}`]);
    expect(registry.blobs.get('alice/model')?.get(digestOf(blob.bytes))).toEqual(blob.bytes);
  });
});

describe('pushBlob: registries that refuse chunks', () => {
  it.each([
    ['digest known: PUT with the body', { digest: true }, ['POST', 'PATCH 0-1048575', 'DELETE', 'POST', 'PUT']],
    ['digest unknown: one streaming PATCH, then PUT', { digest: false }, ['POST', 'PATCH 0-1048575', 'DELETE', 'POST', 'PATCH', 'PUT']],
  ])('falls back to one request after a 416 (%s), and stays there', async (_name, known, expected) => {
    const { registry, client } = await setup({ refuseChunks: true });
    const blob = testBlob(2 * MiB + 7, known);
    const pushed = await client.pushBlob(blob);
    expect(uploads(registry.log).map(requestLine)).toEqual(expected);
    expect(registry.blobs.get('alice/model')?.get(pushed.digest)).toEqual(blob.bytes);
    expect(blob.opens).toBe(1);

    const second = testBlob(3 * MiB, known);
    const before = registry.log.length;
    await client.pushBlob(second);
    expect(registry.log.slice(before).some((e) => e.contentRange)).toBe(false);
    expect(registry.blobs.get('alice/model')?.get(digestOf(second.bytes))).toEqual(second.bytes);
  });

  it('uploads in one request from the start for a host known to refuse chunks', async () => {
    const { registry, client } = await setup({}, { chunkSize: MiB, knownLimits: { chunked: false } });
    const blob = testBlob(2 * MiB);
    await client.pushBlob(blob);
    expect(uploads(registry.log).map(requestLine)).toEqual(['POST', 'PUT']);
    expect(registry.log.at(-1)!.bodyBytes).toBe(2 * MiB);
  });
});

describe('cross-repository mount', () => {
  it('mounts a blob another repository holds', async () => {
    const { registry, client } = await setup();
    const blob = testBlob(4 * KiB);
    const base = client.forRepository('alice/base');
    await base.pushBlob(blob);
    expect(await client.pushBlob({ ...blob, size: undefined }, { mountFrom: ['alice/base'] })).toEqual({ digest: blob.digest, size: 4 * KiB, outcome: 'mounted' });
    expect(registry.blobs.get('alice/model')?.get(blob.digest!)).toEqual(blob.bytes);
  });

  it('uploads in the session the registry opened when it could not mount', async () => {
    const { registry, client } = await setup();
    const blob = testBlob(4 * KiB);
    expect((await client.pushBlob(blob, { mountFrom: ['alice/nowhere'] })).outcome).toBe('pushed');
    expect(registry.log.filter((e) => e.method === 'POST')).toHaveLength(1);
    expect(registry.log.find((e) => e.method === 'POST')!.query.get('mount')).toBe(blob.digest);
  });
});

describe('manifests', () => {
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', layers: [] }));
  const mediaType = 'application/vnd.oci.image.manifest.v1+json';

  it('puts a manifest, checks the digest the registry answers, and HEADs it back', async () => {
    const { client } = await setup();
    expect(await client.putManifest('v1', manifest, mediaType)).toBe(digestOf(manifest));
    expect(await client.headManifest('v1')).toEqual({ digest: digestOf(manifest), mediaType, size: manifest.length });
    expect(await client.headManifest('missing')).toBeUndefined();
  });

  it('hashes the manifest itself when a HEAD answers without Docker-Content-Digest', async () => {
    const server = await startScriptedServer((req, res) => {
      if (req.url === '/v2/') return void res.writeHead(200).end('{}');
      res.writeHead(200, { 'content-type': mediaType, 'content-length': String(manifest.length) });
      res.end(req.method === 'HEAD' ? undefined : manifest);
    });
    const client = new RegistryClient({ registry: server.host, repository: 'alice/model', credentials: null, transport: testTransport([]) });
    cleanups.push(() => client.close(), () => server.close());
    expect(await client.headManifest('v1')).toEqual({ digest: digestOf(manifest), mediaType, size: manifest.length });
    expect(server.requests.map((r) => r.method)).toEqual(['GET', 'HEAD', 'GET']);
  });

  it('fails when the registry says it stored another digest', async () => {
    const { client } = await setup({ manifestDigestOverride: `sha256:${'0'.repeat(64)}` });
    const error = await client.putManifest('v1', manifest, mediaType).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toContain(`as sha256:${'0'.repeat(64)}, but the bytes sent hash to ${digestOf(manifest)}`);
  });
});
