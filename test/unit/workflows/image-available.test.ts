import { afterEach, describe, expect, it } from 'vitest';
import { RegistryClient } from '../../../src/registry/client.js';
import { publicManifestExists } from '../../../src/workflows/image-available.js';
import { digestOf, testBlob, testTransport } from '../../support/registry/blobs.js';
import { startFakeRegistry } from '../../support/registry/fake-registry.js';
import { startTokenServer } from '../../support/registry/token-server.js';

// The base-image probe goes through the registry client (transport → auth → verbs), as every
// other registry request: an anonymous pull token for a bearer registry, one HEAD.

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function registryWithImage() {
  const tokens = await startTokenServer({ users: { alice: 'pw' } });
  const registry = await startFakeRegistry({ auth: { kind: 'bearer', tokens } });
  cleanups.push(() => tokens.close(), () => registry.close());
  const pusher = new RegistryClient({ registry: registry.host, repository: 'library/base', credentials: { username: 'alice', secret: 'pw' }, transport: testTransport([]) });
  cleanups.push(() => pusher.close());
  const config = testBlob(100);
  await pusher.pushBlob(config);
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config.digest, size: 100 }, layers: [] }));
  await pusher.putManifest('3.12', manifest, 'application/vnd.oci.image.manifest.v1+json');
  return { tokens, registry, manifest };
}

describe('publicManifestExists', () => {
  it('asks with an anonymous pull token: found, and not found', async () => {
    const { tokens, registry, manifest } = await registryWithImage();
    const before = tokens.issued.length;
    expect(await publicManifestExists(`${registry.host}/library/base:3.12`, 3000)).toBe(true);
    expect(await publicManifestExists(`${registry.host}/library/base@${digestOf(manifest)}`, 3000)).toBe(true);
    expect(await publicManifestExists(`${registry.host}/library/base:3.99`, 3000)).toBe(false);
    const asked = tokens.issued.slice(before);
    expect(asked.length).toBeGreaterThan(0);
    expect(asked.every((grant) => grant.account === undefined && grant.scopes.every((scope) => scope === 'repository:library/base:pull'))).toBe(true);
    const heads = registry.log.filter((entry) => entry.method === 'HEAD' && entry.path.includes('/manifests/'));
    expect(heads.at(-1)?.authorization).toMatch(/^Bearer /);
  });

  it('an unreachable registry is "not known to exist", within the time given', async () => {
    const started = performance.now();
    expect(await publicManifestExists('127.0.0.1:9/library/base:3.12', 2000)).toBe(false);
    expect(performance.now() - started).toBeLessThan(2500);
  });
});
