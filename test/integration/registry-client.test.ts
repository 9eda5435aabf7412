import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { RegistryClient, type RegistryClientOptions } from '../../src/registry/client.js';
import { verifyCredentials } from '../../src/registry/login.js';
import type { RequestRecord } from '../../src/registry/types.js';
import { KiB, MiB, digestOf, testBlob, testTransport } from '../support/registry/blobs.js';
import { startFaultProxy, type ProxyFault, type ProxyFaultContext } from '../support/registry/fault-proxy.js';
import { startLocalRegistry, type LocalRegistry } from '../support/registry/local-registry.js';
import { startTokenAuthRegistry, type TokenAuthRegistry } from '../support/registry/token-auth-registry.js';
import { requireTestbed, runId } from '../support/testbed.js';

/**
 * The registry client against the real thing: Debian's docker-registry (CNCF distribution 2.8)
 * on loopback, anonymous (the test bed's), behind a fault proxy, and with htpasswd basic auth.
 * Outcomes are checked by reading the bytes back from the registry.
 */

const ociManifest = 'application/vnd.oci.image.manifest.v1+json';
const clients: RegistryClient[] = [];

function client(options: Partial<RegistryClientOptions> & { registry: string; repository: string }, records: RequestRecord[] = []): RegistryClient {
  const made = new RegistryClient({ credentials: null, transport: testTransport(records), upload: { chunkSize: 1 * MiB }, ...options });
  clients.push(made);
  return made;
}

/** The blob's bytes as the registry serves them. */
async function readBlob(registry: string, repository: string, digest: string, credentials?: { username: string; password: string }): Promise<Buffer> {
  const headers: Record<string, string> = credentials ? { authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` } : {};
  const response = await fetch(`http://${registry}/v2/${repository}/blobs/${digest}`, { headers });
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

function manifestFor(config: { digest: string; size: number }, layers: Array<{ digest: string; size: number }>): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: ociManifest,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config.digest, size: config.size },
      layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: l.digest, size: l.size })),
    }),
  );
}

describe('[registry] registry client against a real registry', () => {
  let registry: string;
  const repository = `cogpack-test/registry-client-${runId}`;

  beforeAll(async () => {
    registry = (await requireTestbed()).registry;
  });
  afterAll(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });

  it('pushes blobs (one in one request, one in several PATCH chunks), HEADs them, mounts one, puts a manifest', async () => {
    const records: RequestRecord[] = [];
    const model = client({ registry, repository }, records);
    const tiny = testBlob(300);
    const large = testBlob(5 * MiB + 123, { digest: false, size: false });
    const config = testBlob(2 * KiB);

    expect(await model.pushBlob(tiny)).toEqual({ digest: tiny.digest, size: 300, outcome: 'pushed' });
    const pushedLarge = await model.pushBlob(large);
    expect(pushedLarge).toEqual({ digest: digestOf(large.bytes), size: large.bytes.length, outcome: 'pushed' });
    expect(records.filter((r) => r.method === 'PATCH')).toHaveLength(6);
    const pushedConfig = await model.pushBlob(config);

    expect(await model.headBlob(tiny.digest!)).toEqual({ size: 300 });
    expect(await model.headBlob(pushedLarge.digest)).toEqual({ size: large.bytes.length });
    expect(await readBlob(registry, repository, pushedLarge.digest)).toEqual(large.bytes);
    expect(await model.pushBlob(tiny)).toMatchObject({ outcome: 'exists' });

    const other = model.forRepository(`${repository}-other`, { chunkSize: 1 * MiB });
    expect(await other.pushBlob({ ...large, digest: pushedLarge.digest, size: undefined }, { mountFrom: [repository] })).toEqual({
      digest: pushedLarge.digest,
      size: large.bytes.length,
      outcome: 'mounted',
    });
    expect(large.opens).toBe(1);
    expect(await readBlob(registry, `${repository}-other`, pushedLarge.digest)).toEqual(large.bytes);

    const manifest = manifestFor(pushedConfig, [{ digest: tiny.digest!, size: 300 }, pushedLarge]);
    const digest = await model.putManifest('v1', manifest, ociManifest);
    expect(digest).toBe(`sha256:${createHash('sha256').update(manifest).digest('hex')}`);
    expect(await model.headManifest('v1')).toEqual({ digest, mediaType: ociManifest, size: manifest.length });
    expect(await model.headManifest(digest)).toMatchObject({ digest });
    expect(await model.headManifest('missing-tag')).toBeUndefined();
  });

  describe('behind a fault proxy', () => {
    const faultOnce = (method: string, n: number, fault: ProxyFault) => (c: ProxyFaultContext) => (c.method === method && c.methodCount === n ? fault : undefined);

    it('a PATCH cut mid-body: distribution drops the session (404 BLOB_UPLOAD_INVALID), only that blob starts over', async () => {
      const proxy = await startFaultProxy(registry, faultOnce('PATCH', 2, { kind: 'cut', afterBytes: 200 * KiB }));
      try {
        const repo = `${repository}-cut`;
        const pusher = client({ registry: proxy.host, repository: repo });
        const hit = testBlob(3 * MiB);
        const spared = testBlob(2 * MiB + 9);
        // The second PATCH of all is the hit blob's second chunk.
        await pusher.pushBlob(hit);
        await pusher.pushBlob(spared);
        expect(hit.opens).toBe(2);
        expect(spared.opens).toBe(1);
        expect(proxy.log.some((e) => e.method === 'GET' && e.path.includes('/uploads/') && e.outcome === 404)).toBe(true);
        expect(await readBlob(registry, repo, hit.digest!)).toEqual(hit.bytes);
      } finally {
        await proxy.close();
      }
    });

    it('a 503 before the registry saw the chunk: the same session resumes from the offset it reports', async () => {
      const proxy = await startFaultProxy(registry, faultOnce('PATCH', 2, { kind: 'status', status: 503 }));
      try {
        const repo = `${repository}-resume`;
        const blob = testBlob(3 * MiB + 1, { digest: false });
        const pushed = await client({ registry: proxy.host, repository: repo }).pushBlob(blob);
        expect(blob.opens).toBe(1);
        expect(proxy.log.filter((e) => e.method === 'POST')).toHaveLength(1);
        const forwarded = proxy.log.filter((e) => e.method === 'PATCH').reduce((sum, e) => sum + e.forwardedBytes, 0);
        expect(forwarded).toBe(blob.bytes.length);
        expect(await readBlob(registry, repo, pushed.digest)).toEqual(blob.bytes);
      } finally {
        await proxy.close();
      }
    });

    it('429 with Retry-After: 2 on the manifest: waits as told, then puts it', async () => {
      const proxy = await startFaultProxy(registry, faultOnce('PUT', 1, { kind: 'status', status: 429, headers: { 'retry-after': '2' } }));
      try {
        const waits: number[] = [];
        const pusher = new RegistryClient({ registry: proxy.host, repository: `${repository}-429`, credentials: null, transport: testTransport([], waits) });
        clients.push(pusher);
        const config = await pusher.pushBlob(testBlob(100));
        const manifest = manifestFor(config, []);
        expect(await pusher.putManifest('v1', manifest, ociManifest)).toBe(digestOf(manifest));
        expect(waits).toContain(2000);
      } finally {
        await proxy.close();
      }
    });
  });

  describe('with htpasswd basic auth', () => {
    let secured: LocalRegistry;
    const alice = { username: 'alice', password: `pw-${randomBytes(8).toString('hex')}` };

    beforeAll(async () => {
      secured = await startLocalRegistry({ htpasswd: alice });
    });
    afterAll(async () => {
      await secured?.stop();
    });

    it('verifies credentials: the right ones pass, wrong ones are refused without showing them', async () => {
      expect(await verifyCredentials(secured.host, { username: alice.username, secret: alice.password }, { transport: testTransport([]) })).toEqual({ scheme: 'basic' });
      const error = await verifyCredentials(secured.host, { username: 'alice', secret: 'not-the-password' }, { transport: testTransport([]) }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserError);
      expect((error as Error).message).toContain('401');
      expect((error as Error).message).not.toContain('not-the-password');
    });

    it('pushes blobs and a manifest with the credentials; without them, a 401 with a login hint', async () => {
      const records: RequestRecord[] = [];
      const repo = 'alice/model';
      const pusher = client({ registry: secured.host, repository: repo, credentials: { username: alice.username, secret: alice.password } }, records);
      const layer = testBlob(2 * MiB + 77, { digest: false });
      const pushed = await pusher.pushBlob(layer);
      const config = await pusher.pushBlob(testBlob(500));
      const manifest = manifestFor(config, [pushed]);
      expect(await pusher.putManifest('latest', manifest, ociManifest)).toBe(digestOf(manifest));
      expect(await readBlob(secured.host, repo, pushed.digest, alice)).toEqual(layer.bytes);
      expect(JSON.stringify(records)).not.toContain(alice.password);

      const anonymous = client({ registry: secured.host, repository: repo });
      const error = await anonymous.pushBlob(testBlob(100)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserError);
      expect((error as Error).message).toContain('401 Unauthorized');
      expect((error as UserError).hint).toContain(`cog login ${secured.host}`);
    });
  });

  describe('with bearer tokens from a token service', () => {
    let bed: TokenAuthRegistry;
    const bob = { username: 'bob', password: `pw-${randomBytes(8).toString('hex')}` };

    beforeAll(async () => {
      bed = await startTokenAuthRegistry({ users: { [bob.username]: bob.password } });
    });
    afterAll(async () => {
      await bed?.stop();
    });

    it('gets tokens per repository scope (pull on the source of a mount), pushes, mounts and puts a manifest', async () => {
      const credentials = { username: bob.username, secret: bob.password };
      expect(await verifyCredentials(bed.registry.host, credentials, { transport: testTransport([]) })).toEqual({ scheme: 'bearer' });
      const records: RequestRecord[] = [];
      const base = client({ registry: bed.registry.host, repository: 'bob/base', credentials }, records);
      const layer = testBlob(2 * MiB + 3);
      await base.pushBlob(layer);
      const model = base.forRepository('bob/model', { chunkSize: 1 * MiB });
      expect(await model.pushBlob(layer, { mountFrom: ['bob/base'] })).toMatchObject({ outcome: 'mounted' });
      const config = await model.pushBlob(testBlob(400));
      const manifest = manifestFor(config, [{ digest: layer.digest!, size: layer.bytes.length }]);
      expect(await model.putManifest('v1', manifest, ociManifest)).toBe(digestOf(manifest));
      expect(await model.headManifest('v1')).toMatchObject({ digest: digestOf(manifest) });

      const scopes = bed.tokens.issued.map((grant) => [...grant.scopes].sort().join(' '));
      expect(scopes).toContain('repository:bob/base:pull,push');
      expect(scopes).toContain('repository:bob/base:pull repository:bob/model:pull,push');
      expect(scopes).toContain('repository:bob/model:pull,push');
      // One token per scope, reused for every request of that scope.
      expect(new Set(scopes).size).toBe(scopes.length);
      const tokensSeen = bed.tokens.issued.map((grant) => grant.token);
      expect(tokensSeen.some((token) => JSON.stringify(records).includes(token))).toBe(false);
    });

    it('refuses wrong credentials at the token service', async () => {
      const error = await verifyCredentials(bed.registry.host, { username: 'bob', secret: 'wrong-one' }, { transport: testTransport([]) }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserError);
      expect((error as Error).message).toMatch(/refused the credentials for bob: GET \/token on 127\.0\.0\.1:\d+: 401/);
    });
  });
});
