import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCog } from '../support/cli-process.js';
import { jsonSchemaErrors } from '../support/json-schema.js';
import { fixture } from '../support/paths.js';
import { copyFixture } from '../support/project-copy.js';
import { startLocalRegistry, type LocalRegistry } from '../support/registry/local-registry.js';
import { startTokenAuthRegistry, type TokenAuthRegistry } from '../support/registry/token-auth-registry.js';
import { predictOnce } from '../support/serve.js';
import { request } from 'undici';
import { requireTestbed, runId, type Testbed } from '../support/testbed.js';

interface PushJson {
  image: string;
  digest: string;
  pushed: number;
  skipped: number;
  layers: Array<{ outcome: string; encoding: string }>;
}

// `cog push` of a fixture image to real registries on loopback (anonymous, basic auth, bearer
// tokens from a token server), then `docker pull` back and a prediction on what was pulled.
describe('cog push [engine] [registry]', () => {
  let testbed: Testbed;
  const source = `cogpack-it-push-src:${runId}`;
  const cleanup: string[] = [];
  let basic: LocalRegistry | undefined;
  let bearer: TokenAuthRegistry | undefined;
  let scoped: TokenAuthRegistry | undefined;

  /** A fresh cache dir: what an earlier push remembered must not decide this one. */
  const freshEnv = (extra: Record<string, string> = {}) => ({ COGPACK_CACHE_DIR: mkdtempSync(path.join(tmpdir(), 'cogpack-push-cache-')), ...extra });

  async function pushAndPullBack(target: string, env: Record<string, string>): Promise<PushJson> {
    expect((await testbed.docker.run(['tag', source, target])).exitCode).toBe(0);
    cleanup.push(target);
    const result = await runCog(['push', target, '--no-build', '--json', '--chunk-size', '4MiB'], { cwd: fixture('hello-world'), env });
    expect(result.exitCode, result.stderr.slice(-2000)).toBe(0);
    const report = JSON.parse(result.stdout) as PushJson;
    expect(jsonSchemaErrors('push', report)).toEqual([]);
    // What the registry holds, not what is local: remove the name, pull it, run it.
    await testbed.docker.run(['image', 'rm', target]);
    const pulled = await testbed.docker.run(['pull', target], { env });
    expect(pulled.exitCode, pulled.stderrTail.join('\n')).toBe(0);
    const prediction = await predictOnce(testbed.docker, target, { text: 'from the registry' });
    expect(prediction).toMatchObject({ status: 'succeeded', output: 'hello from the registry' });
    return report;
  }

  beforeAll(async () => {
    testbed = await requireTestbed();
    const built = await runCog(['build', '-t', source, '--progress', 'quiet'], { cwd: fixture('hello-world') });
    expect(built.exitCode, built.stderr).toBe(0);
  });

  afterAll(async () => {
    for (const image of [source, ...cleanup]) await testbed?.docker.run(['image', 'rm', '--force', image]);
    await basic?.stop();
    await bearer?.stop();
    await scoped?.stop();
  });

  let anonymousEnv: Record<string, string>;

  it('anonymous: pushes every layer, and the pulled image predicts', async () => {
    anonymousEnv = freshEnv();
    const report = await pushAndPullBack(`${testbed.registry}/cogpack-it/anonymous-${runId}:v1`, anonymousEnv);
    expect(report.pushed).toBeGreaterThan(3);
    expect(report.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('a second push of the same image uploads nothing: each layer is found with a HEAD, none read', async () => {
    const target = `${testbed.registry}/cogpack-it/anonymous-${runId}:v1`;
    await testbed.docker.run(['tag', source, target]);
    const again = await runCog(['push', target, '--no-build', '--json'], { cwd: fixture('hello-world'), env: anonymousEnv });
    expect(again.exitCode, again.stderr).toBe(0);
    const report = JSON.parse(again.stdout) as PushJson & { bytesSent: number };
    expect(report.pushed).toBe(0);
    expect(report.bytesSent).toBe(0);
    expect(report.layers.every((layer) => layer.outcome === 'exists')).toBe(true);
  });

  it('another repository of the same registry gets the layers by cross-repository mount', async () => {
    const target = `${testbed.registry}/cogpack-it/mounted-${runId}:v1`;
    await testbed.docker.run(['tag', source, target]);
    cleanup.push(target);
    const result = await runCog(['push', target, '--no-build', '--json'], { cwd: fixture('hello-world'), env: anonymousEnv });
    expect(result.exitCode, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as PushJson & { bytesSent: number };
    expect(report.layers.map((layer) => layer.outcome)).toEqual(report.layers.map(() => 'mounted'));
    expect(report.bytesSent).toBeLessThan(20_000); // the config blob only
  });

  it('model: in cog.yaml is a push target: COG_MODEL_TAG, else a UTC timestamp tag; upstream\'s COG_PUSH_* knobs are taken (--debug says so)', async () => {
    const dir = copyFixture('hello-world');
    const repository = `${testbed.registry}/team/model-${runId}`;
    appendFileSync(path.join(dir, 'cog.yaml'), `model: ${repository}\n`);
    const env = freshEnv({ COG_MODEL_TAG: 'v1', COG_PUSH_CONCURRENCY: '1', COG_PUSH_DEFAULT_CHUNK_SIZE: '4194304' });
    const tagged = await runCog(['push', '--debug', '--progress', 'quiet'], { cwd: dir, env });
    cleanup.push(`${repository}:v1`);
    expect(tagged.exitCode, tagged.stderr.slice(-2000)).toBe(0);
    expect(tagged.stderr).toMatch(new RegExp(`^Pushed ${repository.replace(/[.:]/g, '\\$&')}:v1@sha256:[0-9a-f]{64}$`, 'm'));
    expect(tagged.stderr).toContain(`push target: ${repository}:v1 (from model: / COG_MODEL*)`);
    expect(tagged.stderr).toContain('concurrency 1 (from COG_PUSH_CONCURRENCY)');
    expect(tagged.stderr).toContain('chunk size 4194304 (from COG_PUSH_DEFAULT_CHUNK_SIZE)');
    const stamped = await runCog(['push', '--json', '--progress', 'quiet'], { cwd: dir, env: freshEnv() });
    expect(stamped.exitCode, stamped.stderr.slice(-2000)).toBe(0);
    const { image } = JSON.parse(stamped.stdout) as PushJson;
    cleanup.push(image);
    expect(image).toMatch(new RegExp(`^${repository.replace(/[.:]/g, '\\$&')}:\\d{8}T\\d{6}Z$`));
    // What the registry holds.
    const tags = await request(`http://${repository.replace('/', '/v2/')}/tags/list`);
    expect(((await tags.body.json()) as { tags: string[] }).tags.sort()).toEqual(['v1', image.split(':').at(-1)!].sort());
    // An image argument next to model: is refused, before anything is built.
    const refused = await runCog(['push', `${testbed.registry}/other:1`], { cwd: dir, env: freshEnv() });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain("positional image argument not supported with 'model' config");
  });

  it('basic auth: cog login stores what docker reads, then push and pull', async () => {
    basic = await startLocalRegistry({ htpasswd: { username: 'model-maker', password: 'p4ss-basic' } });
    const env = freshEnv({ DOCKER_CONFIG: mkdtempSync(path.join(tmpdir(), 'cogpack-docker-config-')) });
    const refused = await runCog(['login', basic.host, '-u', 'model-maker', '--password-stdin'], { cwd: tmpdir(), env, input: 'wrong\n' });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('refused the credentials');
    const login = await runCog(['login', basic.host, '-u', 'model-maker', '--password-stdin'], { cwd: tmpdir(), env, input: 'p4ss-basic\n' });
    expect(login.exitCode, login.stderr).toBe(0);
    expect(login.stdout + login.stderr).not.toContain('p4ss-basic');
    const target = `${basic.host}/team/basic-${runId}`;
    await pushAndPullBack(target, env);
    // --debug shows every registry request, and never the credentials.
    const debug = await runCog(['push', target, '--no-build', '--debug'], { cwd: fixture('hello-world'), env });
    expect(debug.exitCode, debug.stderr.slice(-1500)).toBe(0);
    expect(debug.stderr).toMatch(/debug\s+HEAD http:\/\/127\.0\.0\.1:\d+\/v2\/team\/basic-/);
    for (const secret of ['p4ss-basic', Buffer.from('model-maker:p4ss-basic').toString('base64')]) expect(debug.stderr).not.toContain(secret);
  });

  it('bearer tokens from a token server: cog login --token-stdin (upstream\'s flag), push and pull', async () => {
    bearer = await startTokenAuthRegistry({ users: { 'token-user': 't0ken-pass' }, allowAnonymous: false });
    const env = freshEnv({ DOCKER_CONFIG: mkdtempSync(path.join(tmpdir(), 'cogpack-docker-config-')) });
    const login = await runCog(['login', bearer.registry.host, '-u', 'token-user', '--token-stdin'], { cwd: tmpdir(), env, input: 't0ken-pass\n' });
    expect(login.exitCode, login.stderr).toBe(0);
    await pushAndPullBack(`${bearer.registry.host}/team/bearer-${runId}`, env);
  });

  it('a mount the token may not make (no pull on the source repository) falls back to uploading the layers', async () => {
    // Each user may read and write only their own repositories, as on a shared registry.
    scoped = await startTokenAuthRegistry({
      users: { alice: 'alice-pass', bob: 'bob-pass' },
      allowAnonymous: false,
      access: (account, repository) => (repository.startsWith(`${account}/`) ? ['pull', 'push'] : []),
    });
    const host = scoped.registry.host;
    // One cache for both: bob's push knows the layers are in alice's repository, and tries a mount.
    const cache = mkdtempSync(path.join(tmpdir(), 'cogpack-push-cache-'));
    const loggedIn = async (user: string, password: string) => {
      const env = { COGPACK_CACHE_DIR: cache, DOCKER_CONFIG: mkdtempSync(path.join(tmpdir(), 'cogpack-docker-config-')) };
      const login = await runCog(['login', host, '-u', user, '--password-stdin'], { cwd: tmpdir(), env, input: `${password}\n` });
      expect(login.exitCode, login.stderr).toBe(0);
      return env;
    };
    const source = `alice/source-${runId}`;
    const first = await pushAndPullBack(`${host}/${source}`, await loggedIn('alice', 'alice-pass'));
    const second = await pushAndPullBack(`${host}/bob/target-${runId}`, await loggedIn('bob', 'bob-pass'));
    expect(second.layers.map((layer) => layer.outcome)).toEqual(second.layers.map(() => 'pushed'));
    expect(second.digest).toBe(first.digest);
    // bob's push asked for a token that may read alice's repository (the mount), and got none.
    const bobs = scoped.tokens.issued.filter((grant) => grant.account === 'bob');
    expect(bobs.some((grant) => grant.requested.includes(`repository:${source}:pull`))).toBe(true);
    expect(bobs.flatMap((grant) => grant.scopes).every((scope) => scope.startsWith('repository:bob/'))).toBe(true);
  });
});
