import { afterEach, describe, expect, it } from 'vitest';
import { RegistryAuth } from '../../../src/registry/auth.js';
import { RegistryClient } from '../../../src/registry/client.js';
import { RegistryResponseError } from '../../../src/registry/registry-errors.js';
import { Transport } from '../../../src/registry/transport.js';
import type { RequestRecord } from '../../../src/registry/types.js';
import { redact } from '../../../src/ui/redact.js';
import { digestOf, testBlob, testTransport } from '../../support/registry/blobs.js';
import { startFakeRegistry, type FakeRegistry, type FakeRegistryOptions } from '../../support/registry/fake-registry.js';
import { startScriptedServer } from '../../support/registry/scripted-server.js';
import { startTokenServer, type TokenServer, type TokenServerOptions } from '../../support/registry/token-server.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const password = 'hunter2-very-secret';

async function bearerSetup(tokenOptions: TokenServerOptions = { users: { alice: password } }, registryOptions: FakeRegistryOptions = {}) {
  const tokens = await startTokenServer(tokenOptions);
  const registry = await startFakeRegistry({ auth: { kind: 'bearer', tokens }, ...registryOptions });
  cleanups.push(() => tokens.close(), () => registry.close());
  return { tokens, registry };
}

function client(registry: FakeRegistry, options: { repository?: string; credentials?: { username: string; secret: string } | null; records?: RequestRecord[]; auth?: RegistryAuth; transport?: Transport } = {}) {
  const c = new RegistryClient({
    registry: registry.host,
    repository: options.repository ?? 'alice/model',
    credentials: options.credentials === undefined ? { username: 'alice', secret: password } : options.credentials,
    transport: options.transport ?? testTransport(options.records ?? []),
    ...(options.auth ? { auth: options.auth } : {}),
  });
  cleanups.push(() => c.close());
  return c;
}

const tokenRequests = (tokens: TokenServer) => tokens.requests.map((r) => new URL(r.url, 'http://x').searchParams.getAll('scope'));

describe('bearer tokens', () => {
  it('asks the realm for a token per repository scope, with the basic credentials, and caches it', async () => {
    const { tokens, registry } = await bearerSetup();
    const model = client(registry);
    expect(await model.headBlob(digestOf(Buffer.from('x')))).toBeUndefined();
    expect(await model.headBlob(digestOf(Buffer.from('y')))).toBeUndefined();
    expect(tokenRequests(tokens)).toEqual([['repository:alice/model:pull,push']]);
    expect(tokens.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from(`alice:${password}`).toString('base64')}`);
    expect(new URL(tokens.requests[0]!.url, 'http://x').searchParams.get('service')).toBe('fake-registry');

    // Another repository of the same registry, sharing the auth: its own token.
    const other = model.forRepository('alice/other');
    await other.headBlob(digestOf(Buffer.from('z')));
    expect(tokenRequests(tokens)).toEqual([['repository:alice/model:pull,push'], ['repository:alice/other:pull,push']]);
  });

  it('asks for pull on the source repository too for a cross-repository mount', async () => {
    const { tokens, registry } = await bearerSetup();
    const source = client(registry, { repository: 'alice/base' });
    const blob = testBlob(1000);
    await source.pushBlob(blob);
    const target = source.forRepository('alice/model');
    expect(await target.mountBlob(blob.digest!, 'alice/base')).toEqual({ outcome: 'mounted' });
    expect(tokenRequests(tokens).at(-1)!.sort()).toEqual(['repository:alice/base:pull', 'repository:alice/model:pull,push']);
    expect(registry.blobs.get('alice/model')?.get(blob.digest!)).toEqual(blob.bytes);
  });

  it('renews a token that expired, by the clock', async () => {
    const { tokens, registry } = await bearerSetup({ users: { alice: password }, expiresIn: 60 });
    let now = 1_000_000;
    const transport = new Transport(testTransport([]));
    cleanups.push(() => transport.close());
    const auth = new RegistryAuth({ registry: registry.host, transport, credentials: { username: 'alice', secret: password }, now: () => now });
    const model = client(registry, { auth });
    await model.headBlob(digestOf(Buffer.from('a')));
    now += 30_000;
    await model.headBlob(digestOf(Buffer.from('b')));
    expect(tokens.issued).toHaveLength(1);
    now += 31_000;
    await model.headBlob(digestOf(Buffer.from('c')));
    expect(tokens.issued).toHaveLength(2);
  });

  it('refreshes the token once on a 401, then sends again', async () => {
    const { tokens, registry } = await bearerSetup();
    const model = client(registry);
    await model.headBlob(digestOf(Buffer.from('a')));
    tokens.revokeAll();
    expect(await model.headBlob(digestOf(Buffer.from('b')))).toBeUndefined();
    expect(tokens.issued).toHaveLength(2);
    const heads = registry.log.filter((e) => e.method === 'HEAD');
    expect(heads.map((e) => e.status)).toEqual([404, 401, 404]);
  });

  it('stops after one refresh when the registry keeps refusing, with a login hint', async () => {
    const tokens = await startTokenServer({ users: { alice: password } });
    // A registry that trusts no token at all.
    const registry = await startFakeRegistry({ auth: { kind: 'bearer', tokens: { ...tokens, allows: () => false, isValid: () => true } } });
    cleanups.push(() => tokens.close(), () => registry.close());
    const error = await client(registry).headBlob(digestOf(Buffer.from('a'))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryResponseError);
    expect((error as RegistryResponseError).status).toBe(401);
    expect((error as RegistryResponseError).hint).toContain(`cog login ${registry.host}`);
    expect(registry.log.filter((e) => e.method === 'HEAD')).toHaveLength(2);
  });

  it('gets anonymous (pull) tokens without credentials', async () => {
    const { tokens, registry } = await bearerSetup({ users: {} });
    const reader = client(registry, { credentials: null });
    await reader.headBlob(digestOf(Buffer.from('a')));
    expect(tokens.requests[0]!.headers.authorization).toBeUndefined();
    expect(tokens.issued[0]!.scopes).toEqual(['repository:alice/model:pull']);
  });

  it('trades an identity token for an access token with the OAuth2 form', async () => {
    const { tokens, registry } = await bearerSetup({ identityTokens: { 'refresh-me-secret': 'alice' } });
    const transport = new Transport(testTransport([]));
    cleanups.push(() => transport.close());
    const auth = new RegistryAuth({ registry: registry.host, transport, credentials: { username: '', secret: 'refresh-me-secret', secretKind: 'identity-token' } });
    await client(registry, { auth }).pushBlob(testBlob(100));
    expect(tokens.requests[0]!.method).toBe('POST');
    expect(tokens.issued[0]).toMatchObject({ account: 'alice', scopes: ['repository:alice/model:pull,push'] });
  });
});

describe('basic auth and credential scoping', () => {
  it('sends basic credentials to the registry and gets in', async () => {
    const registry = await startFakeRegistry({ auth: { kind: 'basic', username: 'alice', password } });
    cleanups.push(() => registry.close());
    const blob = testBlob(2000);
    expect(await client(registry).pushBlob(blob)).toMatchObject({ outcome: 'pushed', digest: blob.digest });
    expect(registry.log.filter((e) => e.path !== '/v2/').every((e) => e.authorization?.startsWith('Basic '))).toBe(true);
  });

  it('fails with a login hint without credentials', async () => {
    const registry = await startFakeRegistry({ auth: { kind: 'basic', username: 'alice', password } });
    cleanups.push(() => registry.close());
    const error = await client(registry, { credentials: null }).headBlob(digestOf(Buffer.from('a'))).catch((e: unknown) => e);
    expect((error as RegistryResponseError).status).toBe(401);
    expect((error as RegistryResponseError).hint).toMatch(/cog login/);
  });

  it('keeps the token away from blob storage on another host', async () => {
    const storage = await startScriptedServer((_req, res) => void res.writeHead(200, { 'content-length': '1000' }).end(), { address: '127.0.0.2' });
    const { registry } = await bearerSetup(undefined, { blobStorage: storage.origin });
    cleanups.push(() => storage.close());
    const model = client(registry);
    const blob = testBlob(1000);
    // The registry answers the HEAD after the upload with a redirect to storage.
    await model.pushBlob({ ...blob, digest: undefined });
    expect(await model.headBlob(blob.digest!)).toEqual({ size: 1000 });
    expect(storage.requests).toHaveLength(1);
    expect(storage.requests[0]!.headers.authorization).toBeUndefined();
    expect(registry.log.at(-1)!.authorization).toMatch(/^Bearer /);
  });

  it('shows no secret in recorded requests, error messages or redacted lines', async () => {
    const { tokens, registry } = await bearerSetup();
    const records: RequestRecord[] = [];
    const model = client(registry, { records });
    await model.pushBlob(testBlob(3000));
    const token = tokens.issued[0]!.token;
    const basic = Buffer.from(`alice:${password}`).toString('base64');
    const recorded = JSON.stringify(records);
    for (const secret of [password, basic, token]) expect(recorded).not.toContain(secret);
    expect(redact(`authorization: Bearer ${token} and ${password}`)).not.toMatch(new RegExp(`${token}|${password}`));

    const wrong = client(registry, { credentials: { username: 'alice', secret: 'wrong-secret-value' }, records });
    const error = (await wrong.headBlob(digestOf(Buffer.from('a'))).catch((e: unknown) => e)) as Error;
    expect(error.message).toContain('401');
    expect(error.message).not.toContain('wrong-secret-value');
    expect(JSON.stringify(records)).not.toContain(Buffer.from('alice:wrong-secret-value').toString('base64'));
  });
});
