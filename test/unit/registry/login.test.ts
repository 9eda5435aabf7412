import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { fetchReplicateTokenPage, verifyCredentials, verifyReplicateToken } from '../../../src/registry/login.js';
import type { RequestRecord } from '../../../src/registry/types.js';
import { testTransport } from '../../support/registry/blobs.js';
import { startFakeRegistry } from '../../support/registry/fake-registry.js';
import { readBody, startScriptedServer } from '../../support/registry/scripted-server.js';
import { startTokenServer } from '../../support/registry/token-server.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('verifyCredentials', () => {
  it('answers a basic challenge with the credentials', async () => {
    const registry = await startFakeRegistry({ auth: { kind: 'basic', username: 'alice', password: 'right-password' } });
    cleanups.push(() => registry.close());
    const options = { baseUrl: registry.origin, transport: testTransport([]) };
    expect(await verifyCredentials(registry.host, { username: 'alice', secret: 'right-password' }, options)).toEqual({ scheme: 'basic' });
    const error = await verifyCredentials(registry.host, { username: 'alice', secret: 'wrong-password' }, options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(/refused the credentials for alice: GET \/v2\/ on .*401 Unauthorized/);
    expect((error as Error).message).not.toContain('wrong-password');
  });

  it('answers a bearer challenge: a token from the realm with the credentials, then /v2/ with it', async () => {
    const tokens = await startTokenServer({ users: { alice: 'right-password' } });
    const registry = await startFakeRegistry({ auth: { kind: 'bearer', tokens } });
    cleanups.push(() => tokens.close(), () => registry.close());
    const records: RequestRecord[] = [];
    const options = { transport: testTransport(records) };
    expect(await verifyCredentials(registry.host, { username: 'alice', secret: 'right-password' }, options)).toEqual({ scheme: 'bearer' });
    expect(registry.log.map((e) => [e.path, e.status])).toEqual([['/v2/', 401], ['/v2/', 200]]);
    expect(new URL(tokens.requests[0]!.url, 'http://x').searchParams.get('account')).toBe('alice');
    const error = await verifyCredentials(registry.host, { username: 'alice', secret: 'nope-password' }, options).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/refused the credentials for alice: GET \/token on 127\.0\.0\.1:\d+: 401/);
    expect(JSON.stringify(records)).not.toMatch(/right-password|nope-password/);
  });

  it('cannot check anything against an open registry, and says so', async () => {
    const registry = await startFakeRegistry();
    cleanups.push(() => registry.close());
    expect(await verifyCredentials(registry.host, { username: 'x', secret: 'y-secret' }, { transport: testTransport([]) })).toEqual({ scheme: 'none' });
  });
});

describe("Replicate's token flow", () => {
  async function replicate(users: Record<string, string>) {
    const server = await startScriptedServer(async (req, res) => {
      if (req.method === 'GET' && req.url === '/cog/v1/display-token-url') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ url: 'https://replicate.com/auth/token' }));
        return;
      }
      if (req.method === 'POST' && req.url === '/cog/v1/verify-token') {
        const token = new URLSearchParams((await readBody(req)).toString()).get('token') ?? '';
        const username = users[token];
        if (!username) return void res.writeHead(404).end('not found');
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ username }));
        return;
      }
      res.writeHead(404).end();
    });
    cleanups.push(() => server.close());
    return server;
  }

  it('gets the token page, then verifies the pasted token (trimmed) into a username', async () => {
    const server = await replicate({ 'cli-token-123': 'alice' });
    const options = { baseUrl: server.origin, transport: testTransport([]) };
    expect(await fetchReplicateTokenPage('r8.im', options)).toBe('https://replicate.com/auth/token');
    expect(await verifyReplicateToken('r8.im', '  cli-token-123\n', options)).toEqual({ username: 'alice' });
    expect(server.requests.at(-1)!.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });

  it('says "user does not exist" for an unknown token', async () => {
    const server = await replicate({});
    const error = await verifyReplicateToken('r8.im', 'unknown-token', { baseUrl: server.origin, transport: testTransport([]) }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('user does not exist');
  });

  it('rejects an API token before sending anything', async () => {
    const server = await replicate({});
    const error = await verifyReplicateToken('r8.im', 'r8_abcdef123456', { baseUrl: server.origin, transport: testTransport([]) }).catch((e: unknown) => e);
    expect((error as Error).message).toContain('looks like a Replicate API token');
    expect(server.requests).toHaveLength(0);
  });

  it('tells a registry that is not Replicate to use docker login', async () => {
    const registry = await startFakeRegistry();
    cleanups.push(() => registry.close());
    const error = await fetchReplicateTokenPage(registry.host, { baseUrl: registry.origin, transport: testTransport([]) }).catch((e: unknown) => e);
    expect((error as UserError).message).toBe(`${registry.host} is not the Replicate registry`);
    expect((error as UserError).hint).toContain('docker login');
  });
});
