import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { engineEndpoint } from '../../../src/docker/endpoint.js';

/** A Docker config dir with contexts, as the docker CLI writes them. */
function configDir(contexts: Record<string, { host: string; skipTls?: boolean; tls?: boolean }>, current?: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cogpack-docker-config-'));
  if (current) writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ currentContext: current }));
  for (const [name, context] of Object.entries(contexts)) {
    const id = createHash('sha256').update(name).digest('hex');
    mkdirSync(path.join(dir, 'contexts', 'meta', id), { recursive: true });
    writeFileSync(
      path.join(dir, 'contexts', 'meta', id, 'meta.json'),
      JSON.stringify({ Name: name, Endpoints: { docker: { Host: context.host, SkipTLSVerify: context.skipTls ?? false } } }),
    );
    if (context.tls) {
      mkdirSync(path.join(dir, 'contexts', 'tls', id, 'docker'), { recursive: true });
      for (const file of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(path.join(dir, 'contexts', 'tls', id, 'docker', file), `${file} of ${name}`);
    }
  }
  return dir;
}

describe('the engine endpoint, found as the docker CLI finds it', () => {
  it('DOCKER_HOST first: a unix socket, or TCP (2375 in the clear, 2376 with TLS)', () => {
    expect(engineEndpoint({ DOCKER_HOST: 'unix:///run/user/1000/docker.sock' })).toEqual({ kind: 'unix', socketPath: '/run/user/1000/docker.sock', host: 'unix:///run/user/1000/docker.sock' });
    expect(engineEndpoint({ DOCKER_HOST: 'tcp://10.0.0.2' })).toMatchObject({ kind: 'tcp', origin: 'http://10.0.0.2:2375' });
    const certs = configDir({});
    for (const file of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(path.join(certs, file), file);
    const tls = engineEndpoint({ DOCKER_HOST: 'tcp://10.0.0.2', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs });
    expect(tls).toMatchObject({ kind: 'tcp', origin: 'https://10.0.0.2:2376', tls: { verify: true } });
    expect(tls.kind === 'tcp' && tls.tls?.ca?.toString()).toBe('ca.pem');
  });

  it('ssh:// and npipe:// engines are left to the docker CLI, and say so', () => {
    expect(engineEndpoint({ DOCKER_HOST: 'ssh://me@build-box' })).toMatchObject({ kind: 'unsupported', reason: expect.stringContaining('ssh://') });
  });

  it('else the current context (Docker Desktop sets one), with its TLS material', () => {
    const dir = configDir({ 'desktop-linux': { host: 'unix:///home/me/.docker/desktop/docker.sock' }, remote: { host: 'tcp://build:2376', tls: true } }, 'desktop-linux');
    expect(engineEndpoint({ DOCKER_CONFIG: dir })).toMatchObject({ kind: 'unix', socketPath: '/home/me/.docker/desktop/docker.sock' });
    const remote = engineEndpoint({ DOCKER_CONFIG: dir, DOCKER_CONTEXT: 'remote' });
    expect(remote).toMatchObject({ kind: 'tcp', origin: 'https://build:2376', tls: { verify: true } });
    expect(remote.kind === 'tcp' && remote.tls?.cert?.toString()).toBe('cert.pem of remote');
  });

  it('the default context is the default socket; a context that is not there is said plainly', () => {
    expect(engineEndpoint({ DOCKER_CONFIG: configDir({}, 'default') })).toMatchObject({ kind: 'unix', socketPath: '/var/run/docker.sock' });
    expect(engineEndpoint({ DOCKER_CONFIG: configDir({}), DOCKER_CONTEXT: 'gone' })).toMatchObject({ kind: 'unsupported', reason: expect.stringContaining('gone was not found') });
  });
});
