import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { RegistryNetworkError, RegistryResponseError } from '../../../src/registry/registry-errors.js';
import { Transport, expectStatus, formatRequestRecord } from '../../../src/registry/transport.js';
import type { RequestRecord } from '../../../src/registry/types.js';
import { testTransport } from '../../support/registry/blobs.js';
import { readBody, sendOciError, startScriptedServer, type ScriptedServer } from '../../support/registry/scripted-server.js';

const servers: ScriptedServer[] = [];
const transports: Transport[] = [];
afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse, n: number) => void | Promise<void>, address?: string) {
  let n = 0;
  const server = await startScriptedServer((req, res) => handler(req, res, ++n), address ? { address } : {});
  servers.push(server);
  return server;
}

function transport(records: RequestRecord[], waits: number[] = [], overrides: Partial<ReturnType<typeof testTransport>> = {}) {
  const t = new Transport({ ...testTransport(records, waits), ...overrides });
  transports.push(t);
  return t;
}

describe('transport: retries', () => {
  it('retries 5xx with backoff and answers with the first success', async () => {
    const server = await serve((_req, res, n) => {
      if (n <= 2) return sendOciError(res, n === 1 ? 503 : 502, 'UNAVAILABLE', 'try later');
      res.end('ok');
    });
    const records: RequestRecord[] = [];
    const waits: number[] = [];
    const response = await transport(records, waits).send({ method: 'GET', url: `${server.origin}/v2/` });
    expect(response.status).toBe(200);
    expect(response.attempts).toBe(3);
    expect(records.map((r) => [r.status, r.attempt])).toEqual([[503, 1], [502, 2], [200, 3]]);
    expect(formatRequestRecord(records[2]!)).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/v2\/ → 200 \(\d+ ms, attempt 3\)$/);
    // Full jitter: random() × base × 2^(n-1), with random() = 0.5 and base 100.
    expect(waits).toEqual([50, 100]);
  });

  it('honours Retry-After on 429, in seconds and as an HTTP date', async () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    const server = await serve((_req, res, n) => {
      if (n === 1) return sendOciError(res, 429, 'TOOMANYREQUESTS', 'slow down', { 'retry-after': '2' });
      if (n === 2) return sendOciError(res, 429, 'TOOMANYREQUESTS', 'slow down', { 'retry-after': new Date(now + 7000).toUTCString() });
      res.end('ok');
    });
    const waits: number[] = [];
    const t = transport([], waits, { retry: { ...testTransport([], waits).retry, now: () => now } });
    const response = await t.send({ method: 'GET', url: `${server.origin}/v2/` });
    expect(response.status).toBe(200);
    expect(waits).toEqual([2000, 7000]);
  });

  it('gives up after the last attempt with the registry answer, path and attempt count', async () => {
    const server = await serve((_req, res) => sendOciError(res, 500, 'INTERNAL', 'disk full'));
    const records: RequestRecord[] = [];
    const response = await transport(records, [], { retry: { ...testTransport([]).retry, attempts: 3 } }).send({
      method: 'GET',
      url: `${server.origin}/v2/a/b/blobs/uploads/x?_state=secretstate`,
    });
    expect(records).toHaveLength(3);
    let error: unknown;
    try {
      expectStatus(response, [204]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RegistryResponseError);
    const message = (error as Error).message;
    expect(message).toContain('GET /v2/a/b/blobs/uploads/x');
    expect(message).toContain('500 Internal Server Error: INTERNAL disk full');
    expect(message).toContain('after 3 attempts');
    expect(message).not.toContain('secretstate');
  });

  it('does not retry 4xx other than 408 and 429', async () => {
    const server = await serve((_req, res) => sendOciError(res, 404, 'BLOB_UNKNOWN', 'blob unknown'));
    const records: RequestRecord[] = [];
    const response = await transport(records).send({ method: 'HEAD', url: `${server.origin}/v2/a/blobs/sha256:00` });
    expect(response.status).toBe(404);
    expect(records).toHaveLength(1);
  });

  it('times out a stalled answer and succeeds on the next attempt', async () => {
    const server = await serve((_req, res, n) => {
      if (n === 1) return; // never answers
      res.end('ok');
    });
    const records: RequestRecord[] = [];
    const t = transport(records, [], { timeouts: { connectMs: 1000, headersMs: 300, bodyIdleMs: 300 } });
    const response = await t.send({ method: 'GET', url: `${server.origin}/v2/` });
    expect(response.status).toBe(200);
    expect(records[0]).toMatchObject({ status: 'error', attempt: 1 });
    expect(records[0]!.error).toMatch(/timed out/);
    expect(records[1]).toMatchObject({ status: 200, attempt: 2 });
  });

  it('retries a reset connection, then reports a network error naming the request', async () => {
    const server = await serve((req) => {
      req.socket.destroy();
    });
    const records: RequestRecord[] = [];
    const error = await transport(records, [], { retry: { ...testTransport([]).retry, attempts: 2 } })
      .send({ method: 'GET', url: `${server.origin}/v2/` })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryNetworkError);
    expect((error as Error).message).toMatch(/GET \/v2\/ on 127\.0\.0\.1:\d+: .*\(after 2 attempts\)/);
    expect(records.map((r) => r.status)).toEqual(['error', 'error']);
  });

  it('sends a one-shot stream body once, without retrying', async () => {
    const server = await serve((_req, res) => sendOciError(res, 503, 'UNAVAILABLE', 'busy'));
    const records: RequestRecord[] = [];
    const { Readable } = await import('node:stream');
    const response = await transport(records).send({
      method: 'PATCH',
      url: `${server.origin}/v2/a/blobs/uploads/1`,
      body: { replayable: false, open: () => Readable.from([Buffer.from('abc')]) },
    });
    expect(response.status).toBe(503);
    expect(records).toHaveLength(1);
  });
});

describe('transport: redirects', () => {
  it('follows a relative Location, then an absolute one, keeping Authorization on the same origin', async () => {
    const server = await serve((req, res) => {
      if (req.url === '/start') return void res.writeHead(307, { location: 'next?x=1' }).end();
      if (req.url === '/next?x=1') return void res.writeHead(307, { location: `${server.origin}/final` }).end();
      res.end('done');
    });
    const response = await transport([]).send({ method: 'GET', url: `${server.origin}/start`, headers: { authorization: 'Bearer same-origin-token' } });
    expect(response.status).toBe(200);
    expect(response.url.pathname).toBe('/final');
    expect(server.requests.map((r) => [r.url, r.headers.authorization])).toEqual([
      ['/start', 'Bearer same-origin-token'],
      ['/next?x=1', 'Bearer same-origin-token'],
      ['/final', 'Bearer same-origin-token'],
    ]);
  });

  it('never sends Authorization to another host, and re-sends the body on a 307', async () => {
    const storage = await serve(async (req, res) => {
      const body = await readBody(req);
      res.writeHead(201, { 'x-received': String(body.length) }).end();
    }, '127.0.0.2');
    const registry = await serve((req, res) => {
      if (req.url?.startsWith('/v2/')) return void res.writeHead(307, { location: `${storage.origin}/bucket/blob?X-Amz-Signature=presigned-sig` }).end();
      res.end();
    });
    const records: RequestRecord[] = [];
    const response = await transport(records).send({
      method: 'PUT',
      url: `${registry.origin}/v2/a/blobs/uploads/1?digest=sha256:00`,
      headers: { authorization: 'Basic c2VjcmV0LXVzZXI6c2VjcmV0LXBhc3M=', 'content-length': '5' },
      body: Buffer.from('hello'),
    });
    expect(response.status).toBe(201);
    expect(response.header('x-received')).toBe('5');
    expect(registry.requests[0]!.headers.authorization).toBeDefined();
    expect(storage.requests).toHaveLength(1);
    expect(storage.requests[0]!.headers.authorization).toBeUndefined();
    // The presigned signature stays out of the --debug record.
    expect(records[1]!.url).toContain('127.0.0.2');
    expect(JSON.stringify(records)).not.toContain('presigned-sig');
  });

  it('turns a 303 into a GET without body', async () => {
    const server = await serve((req, res) => {
      if (req.method === 'POST') return void res.writeHead(303, { location: '/status' }).end();
      res.end(req.method);
    });
    const response = await transport([]).send({ method: 'POST', url: `${server.origin}/go`, body: 'data', headers: { 'content-type': 'text/plain' } });
    expect(response.body.toString()).toBe('GET');
  });
});
