import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { apiImageExporter } from '../../../src/docker/image-export.js';
import { readAll } from '../../support/image-archives.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

/** An engine API on a unix socket that answers GET /images/{id}/get as told. */
async function fakeEngine(answer: (url: string) => { status: number; body: Buffer | string }): Promise<{ socketPath: string; requests: string[] }> {
  const socketPath = path.join(mkdtempSync(path.join(tmpdir(), 'cogpack-engine-')), 'docker.sock');
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    const { status, body } = answer(request.url ?? '');
    response.writeHead(status, { 'content-type': status === 200 ? 'application/x-tar' : 'application/json' });
    response.end(body);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return { socketPath, requests };
}

describe('reading an image export from the engine API', () => {
  it('streams GET /images/{id}/get over the unix socket', async () => {
    const archive = Buffer.alloc(3 << 20, 7);
    const engine = await fakeEngine(() => ({ status: 200, body: archive }));
    const exporter = apiImageExporter({ kind: 'unix', socketPath: engine.socketPath, host: `unix://${engine.socketPath}` });
    const exported = await exporter.open('sha256:abc');
    expect((await readAll(exported.stdout)).equals(archive)).toBe(true);
    expect(await exported.exited).toMatchObject({ exitCode: 0 });
    expect(engine.requests).toEqual(['GET /images/sha256%3Aabc/get']);
    expect(exporter.describe).toContain('API');
  });

  it('an engine that says no: no bytes, and its message as the failure', async () => {
    const engine = await fakeEngine(() => ({ status: 404, body: JSON.stringify({ message: 'reference does not exist' }) }));
    const exported = await apiImageExporter({ kind: 'unix', socketPath: engine.socketPath, host: 'unix://x' }).open('sha256:abc');
    expect((await readAll(exported.stdout)).length).toBe(0);
    expect(await exported.exited).toMatchObject({ exitCode: 1, stderrTail: ['the engine answered 404: reference does not exist'] });
  });

  it('an engine that cannot be reached fails the same way', async () => {
    const exported = await apiImageExporter({ kind: 'unix', socketPath: '/nonexistent/docker.sock', host: 'unix:///nonexistent/docker.sock' }).open('sha256:abc');
    expect((await exported.exited).stderrTail.join()).toMatch(/^cannot reach the engine at unix:\/\/\/nonexistent\/docker\.sock/);
  });
});
