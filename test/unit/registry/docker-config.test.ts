import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { credentialsFor, normaliseRegistryKey, readDockerConfig, storeCredentials } from '../../../src/registry/docker-config.js';
import { redact } from '../../../src/ui/redact.js';
import { installFakeHelper } from '../../support/registry/fake-credential-helper.js';

let dir: string;
let env: NodeJS.ProcessEnv;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cogpack-docker-config-'));
  env = { ...process.env, DOCKER_CONFIG: path.join(dir, 'docker'), PATH: `${path.join(dir, 'bin')}:${process.env.PATH}` };
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const configFile = () => path.join(dir, 'docker', 'config.json');
async function writeConfig(config: unknown): Promise<void> {
  const { mkdir } = await import('node:fs/promises');
  await mkdir(path.dirname(configFile()), { recursive: true });
  await writeFile(configFile(), JSON.stringify(config));
}
const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('reading credentials', () => {
  it('is anonymous without a config file', async () => {
    expect(await credentialsFor('ghcr.io', { env })).toBeUndefined();
    expect(await readDockerConfig({ env })).toEqual({});
  });

  it('reads auths: base64 auth, username/password, identity tokens, any spelling of the host', async () => {
    await writeConfig({
      auths: {
        'https://ghcr.io/v2/': { auth: b64('alice:pa:ss-with-colon') },
        '127.0.0.1:5000': { username: 'bob', password: 'bob-password' },
        'https://index.docker.io/v1/': { auth: b64('carol:'), identitytoken: 'carol-refresh-token' },
      },
    });
    expect(await credentialsFor('ghcr.io', { env })).toEqual({ username: 'alice', secret: 'pa:ss-with-colon', secretKind: 'password', source: 'docker-config' });
    expect(await credentialsFor('127.0.0.1:5000', { env })).toMatchObject({ username: 'bob', secret: 'bob-password' });
    expect(await credentialsFor('docker.io', { env })).toMatchObject({ username: 'carol', secret: 'carol-refresh-token', secretKind: 'identity-token' });
    expect(await credentialsFor('quay.io', { env })).toBeUndefined();
    // Found secrets are known to the redactor from then on.
    expect(redact('password is pa:ss-with-colon')).not.toContain('pa:ss-with-colon');
  });

  it('asks credsStore with the server URL on stdin', async () => {
    const helper = await installFakeHelper(dir, 'test', { 'r8.im': { Username: 'dave', Secret: 'dave-cli-token' } });
    await writeConfig({ credsStore: 'test', auths: { 'r8.im': {} } });
    expect(await credentialsFor('r8.im', { env })).toEqual({ username: 'dave', secret: 'dave-cli-token', secretKind: 'password', source: 'helper:test' });
    expect(await helper.calls()).toEqual([{ verb: 'get', input: 'r8.im' }]);
  });

  it('prefers credHelpers for its registry over credsStore, and falls back to auths when a helper holds nothing', async () => {
    await installFakeHelper(dir, 'test', { 'ghcr.io': { Username: '<token>', Secret: 'ghcr-identity' } });
    await writeConfig({
      credsStore: 'not-installed',
      credHelpers: { 'ghcr.io': 'test', 'quay.io': 'test' },
      auths: { 'quay.io': { auth: b64('erin:erin-password') } },
    });
    expect(await credentialsFor('ghcr.io', { env })).toMatchObject({ secret: 'ghcr-identity', secretKind: 'identity-token', source: 'helper:test' });
    expect(await credentialsFor('quay.io', { env })).toMatchObject({ username: 'erin', source: 'docker-config' });
    const missing = await credentialsFor('other.example', { env }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(UserError);
    expect((missing as Error).message).toContain('docker-credential-not-installed is not installed');
  });

  it('names the file when the config is not JSON', async () => {
    await writeConfig('x');
    await writeFile(configFile(), '{ not json');
    const error = await credentialsFor('ghcr.io', { env }).catch((e: unknown) => e);
    expect((error as Error).message).toContain(configFile());
  });

  it('normalises registry keys', () => {
    expect(normaliseRegistryKey('https://index.docker.io/v1/')).toBe('docker.io');
    expect(normaliseRegistryKey('registry-1.docker.io')).toBe('docker.io');
    expect(normaliseRegistryKey('http://LOCALHOST:5000/v2/')).toBe('localhost:5000');
  });
});

describe('storing credentials', () => {
  it('writes base64 auth atomically with mode 0600, keeping every other key', async () => {
    await writeConfig({ auths: { 'quay.io': { auth: b64('x:y') }, 'https://ghcr.io': { auth: b64('old:old') } }, currentContext: 'desktop', plugins: { a: { b: 'c' } } });
    const stored = await storeCredentials('ghcr.io', { username: 'alice', secret: 'new-secret' }, { env });
    expect(stored).toEqual({ storedIn: 'docker-config', configFile: configFile() });
    const config = JSON.parse(await readFile(configFile(), 'utf8'));
    expect(config).toEqual({ auths: { 'quay.io': { auth: b64('x:y') }, 'ghcr.io': { auth: b64('alice:new-secret') } }, currentContext: 'desktop', plugins: { a: { b: 'c' } } });
    expect((await stat(configFile())).mode & 0o777).toBe(0o600);
    expect(await credentialsFor('ghcr.io', { env })).toMatchObject({ username: 'alice', secret: 'new-secret' });
  });

  it('creates the config when there is none, Docker Hub under its index URL', async () => {
    await storeCredentials('docker.io', { username: 'frank', secret: 'frank-pw' }, { env });
    const config = JSON.parse(await readFile(configFile(), 'utf8'));
    expect(config.auths).toEqual({ 'https://index.docker.io/v1/': { auth: b64('frank:frank-pw') } });
  });

  it('hands them to the credential helper and keeps no secret in the file', async () => {
    const helper = await installFakeHelper(dir, 'test');
    await writeConfig({ credsStore: 'test', auths: { 'r8.im': { auth: b64('stale:stale-secret') } } });
    const stored = await storeCredentials('r8.im', { username: 'dave', secret: 'dave-cli-token' }, { env });
    expect(stored.storedIn).toBe('helper:test');
    expect(await helper.held()).toEqual({ 'r8.im': { Username: 'dave', Secret: 'dave-cli-token' } });
    const text = await readFile(configFile(), 'utf8');
    expect(JSON.parse(text).auths).toEqual({ 'r8.im': {} });
    expect(text).not.toContain(b64('stale:stale-secret'));
    expect(await credentialsFor('r8.im', { env })).toMatchObject({ username: 'dave', secret: 'dave-cli-token', source: 'helper:test' });
  });
});
