import { describe, expect, it } from 'vitest';
import { buildCommand } from '../../../src/engine/argv.js';
import { buildctlArgv } from '../../../src/engine/buildctl.js';
import { detectRoute } from '../../../src/engine/route.js';
import { remoteDockerfile } from '../../../src/dockerfile/remote.js';
import { UnavailableError, UserError } from '../../../src/errors.js';
import { fakeDocker } from '../../support/fake-docker.js';

const tls = { dir: '/certs', serverName: 'builder.internal' };
const buildctlThatAnswers = (workers = { exitCode: 0 }) =>
  fakeDocker(
    {
      '--version': { stdout: 'buildctl github.com/moby/buildkit v0.18.2 abc\n' },
      'debug workers': { stdout: 'ID PLATFORMS\nw1 linux/amd64\n' },
      '--addr tcp://builder:1234 debug workers': { stdout: 'ok', ...workers },
      '--addr tcp://builder:1234 --tlscacert /certs/ca.pem --tlscert /certs/cert.pem --tlskey /certs/key.pem --tlsservername builder.internal debug workers': { stdout: 'ok' },
    },
    '/usr/local/bin/buildctl',
  );

describe('the BuildKit daemon route', () => {
  it('is taken when BUILDKIT_HOST or --buildkit-host names a daemon, and says where from', async () => {
    const docker = fakeDocker({});
    const fromEnv = await detectRoute(docker, { env: { BUILDKIT_HOST: 'tcp://builder:1234' }, buildctl: buildctlThatAnswers() });
    expect(fromEnv).toMatchObject({ kind: 'buildkitd', address: 'tcp://builder:1234', from: 'BUILDKIT_HOST', buildctlVersion: 'buildctl github.com/moby/buildkit v0.18.2' });
    const fromFlag = await detectRoute(docker, { buildkitHost: 'tcp://builder:1234', buildkitTls: tls, env: {}, buildctl: buildctlThatAnswers() });
    expect(fromFlag).toMatchObject({ kind: 'buildkitd', from: '--buildkit-host', tls });
    expect(docker.calls).toEqual([]); // the docker CLI is not asked
  });

  it('a daemon that does not answer: exit 3 with its address and what to do; a TLS refusal says which options to check', async () => {
    const down = buildctlThatAnswers({ exitCode: 1, stderr: ['error: failed to dial: connection refused'] } as never);
    const error = await detectRoute(fakeDocker({}), { buildkitHost: 'tcp://builder:1234', env: {}, buildctl: down }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toBe('cannot reach the BuildKit daemon at tcp://builder:1234 (--buildkit-host): failed to dial: connection refused');
    const refused = buildctlThatAnswers({ exitCode: 1, stderr: ['error: tls: failed to verify certificate: x509: certificate signed by unknown authority'] } as never);
    const tlsError = await detectRoute(fakeDocker({}), { buildkitHost: 'tcp://builder:1234', env: {}, buildctl: refused }).catch((e: unknown) => e);
    expect((tlsError as UserError).hint).toMatch(/--buildkit-tls-dir/);
  });

  it('no buildctl, a bad address, or two builders named: said plainly', async () => {
    const missing = fakeDocker({ '--version': { exitCode: 127 } });
    await expect(detectRoute(fakeDocker({}), { buildkitHost: 'tcp://b:1', env: {}, buildctl: missing })).rejects.toThrow(/buildctl cannot be run/);
    await expect(detectRoute(fakeDocker({}), { buildkitHost: 'builder:1234', env: {}, buildctl: buildctlThatAnswers() })).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining('is not a BuildKit address') });
    await expect(detectRoute(fakeDocker({}), { builder: 'team', buildkitHost: 'tcp://b:1', env: {} })).rejects.toMatchObject({ exitCode: 2 });
  });
});

describe('buildctl argv', () => {
  const base = { contextDir: '/p', dockerfile: '/p/.cog/build/Dockerfile.remote', secrets: ['id=tok,env=TOKEN'], labels: { 'run.cog.version': '0.1.0' } };

  it('the built-in Dockerfile frontend, the project and the Dockerfile dir as local contexts, labels and secrets, and where the result goes', () => {
    expect(buildctlArgv({ address: 'tcp://b:1234', tls }, { ...base, target: 'cog-model', namedContexts: { 'cogpack-weights': '/p/.cog/build/weights/context' }, output: { kind: 'docker', name: 'cog-tmp:1' } })).toEqual([
      '--addr', 'tcp://b:1234', '--tlscacert', '/certs/ca.pem', '--tlscert', '/certs/cert.pem', '--tlskey', '/certs/key.pem', '--tlsservername', 'builder.internal',
      'build', '--frontend', 'dockerfile.v0', '--local', 'context=/p', '--local', 'dockerfile=/p/.cog/build', '--opt', 'filename=Dockerfile.remote', '--progress', 'plain',
      '--opt', 'target=cog-model', '--secret', 'id=tok,env=TOKEN', '--opt', 'label:run.cog.version=0.1.0',
      '--local', 'cogpack-weights=/p/.cog/build/weights/context', '--opt', 'context:cogpack-weights=local:cogpack-weights',
      '--output', 'type=docker,name=cog-tmp:1,dest=-',
    ]);
  });

  it('cache exports and imports as BuildKit spells them; an OCI archive with layers as they are; a directory; nothing', () => {
    const argv = buildctlArgv({ address: 'unix:///run/buildkit.sock', tls: undefined }, { ...base, cacheTo: ['type=registry,ref=r/c:x,mode=max'], cacheFrom: ['type=registry,ref=r/c:x'], output: { kind: 'oci' } });
    expect(argv.slice(0, 2)).toEqual(['--addr', 'unix:///run/buildkit.sock']);
    expect(argv.slice(-6)).toEqual(['--export-cache', 'type=registry,ref=r/c:x,mode=max', '--import-cache', 'type=registry,ref=r/c:x', '--output', 'type=oci,dest=-,compression=uncompressed']);
    expect(buildctlArgv({ address: 'tcp://b:1', tls: undefined }, { ...base, output: { kind: 'local', dest: '/tmp/x' } }).slice(-2)).toEqual(['--output', 'type=local,dest=/tmp/x']);
    expect(buildctlArgv({ address: 'tcp://b:1', tls: undefined }, { ...base, output: { kind: 'cache-only' } })).not.toContain('--output');
  });

  it('the docker CLI routes: buildx passes the cache flags on; the classic builder has none and says so', () => {
    const request = { contextDir: '/p', dockerfile: '/p/Dockerfile', tag: 't', cacheTo: ['type=registry,ref=r/c'], cacheFrom: ['type=registry,ref=r/c'] };
    expect(buildCommand({ kind: 'buildx', builder: 'team', buildxVersion: 'v0.19.3' }, request).argv).toEqual(expect.arrayContaining(['--cache-to', 'type=registry,ref=r/c', '--cache-from', 'type=registry,ref=r/c']));
    expect(() => buildCommand({ kind: 'classic', clientVersion: '20.10.24' }, request)).toThrow(/--cache-to and --cache-from need BuildKit's own client/);
  });
});

describe('the Dockerfile for a daemon that sees no local image', () => {
  const local = [
    'FROM cog-x-weights:latest AS weights',
    'FROM python:3.11-slim',
    'RUN uv pip install cog',
    'COPY --from=weights ["/src/weights/model.bin","/src/weights/model.bin"]',
    'WORKDIR /src',
    'COPY . /src',
    '',
  ].join('\n');
  const weights = { image: 'cog-x-weights:latest', dockerfile: 'FROM scratch\nCOPY ["weights/model.bin","/src/weights/model.bin"]\n' };

  it('builds the weights stage inline from a named context, names the model stage, and adds the pip-freeze stages', () => {
    expect(remoteDockerfile(local, weights)).toBe(
      [
        'FROM scratch AS weights',
        'COPY --from=cogpack-weights ["weights/model.bin","/src/weights/model.bin"]',
        'FROM python:3.11-slim AS cog-model',
        'RUN uv pip install cog',
        'COPY --from=weights ["/src/weights/model.bin","/src/weights/model.bin"]',
        'WORKDIR /src',
        'COPY . /src',
        'FROM cog-model AS cog-pip-freeze-run',
        'RUN uv pip freeze > /cog-pip-freeze.txt',
        'FROM scratch AS cog-pip-freeze',
        'COPY --from=cog-pip-freeze-run /cog-pip-freeze.txt /',
        '',
      ].join('\n'),
    );
  });

  it('without weights, only the stages change', () => {
    const plain = 'FROM python:3.11-slim\nCOPY . /src\n';
    expect(remoteDockerfile(plain, undefined).split('\n').slice(0, 2)).toEqual(['FROM python:3.11-slim AS cog-model', 'COPY . /src']);
  });
});
