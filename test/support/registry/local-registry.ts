import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import bcrypt from 'bcryptjs';

/**
 * A real registry (Debian's docker-registry, CNCF distribution) started for one test file on a
 * free loopback port, as scripts/testbed.sh starts the shared one, optionally behind htpasswd
 * basic auth. Stopped (the process this helper started, by its pid) and its storage removed by
 * `stop()`.
 */

export interface LocalRegistry {
  /** `127.0.0.1:port` */
  host: string;
  /** Where it stores blobs and upload sessions (`docker/registry/v2/…`), for tests that look inside. */
  storageDir: string;
  stop(): Promise<void>;
}

export interface LocalRegistryOptions {
  /** Basic auth with one user (bcrypt htpasswd, as distribution requires). */
  htpasswd?: { username: string; password: string };
  /** Extra `auth:` YAML lines (e.g. token auth), indented under `auth:`. */
  authYaml?: string;
  /** How long to wait for /v2/ to answer, ms. Default 20 000. */
  startTimeoutMs?: number;
  /**
   * `2.8`: Debian's docker-registry, which forgets an upload session after a cut or a lost answer.
   * `3`: distribution v3, built by the test bed (COGPACK_TEST_REGISTRY_V3), which keeps it.
   * Default `2.8`.
   */
  version?: '2.8' | '3';
}

export async function startLocalRegistry(options: LocalRegistryOptions = {}): Promise<LocalRegistry> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cogpack-registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  let auth = '';
  if (options.htpasswd) {
    // The line `htpasswd -Bbn` would print, written here: one program less for a new machine to need.
    const hash = await bcrypt.hash(options.htpasswd.password, 10);
    await writeFile(path.join(dir, 'htpasswd'), `${options.htpasswd.username}:${hash}\n`);
    auth = `auth:\n  htpasswd:\n    realm: cogpack-test\n    path: ${path.join(dir, 'htpasswd')}\n`;
  } else if (options.authYaml) {
    auth = `auth:\n${options.authYaml}\n`;
  }
  const config = [
    'version: 0.1',
    'log:',
    '  level: warn',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${path.join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: ${host}`,
    `  secret: ${randomBytes(16).toString('hex')}`,
    auth,
  ].join('\n');
  await writeFile(path.join(dir, 'config.yml'), config);
  let child: ChildProcess;
  try {
    child = spawn(registryBinary(options.version ?? '2.8'), ['serve', path.join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  let stderr = '';
  child.stderr?.on('data', (piece: Buffer) => (stderr = (stderr + piece.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 20_000);
  for (;;) {
    const failed = await Promise.race([spawnError, new Promise<undefined>((resolve) => setTimeout(resolve, 100, undefined))]);
    if (failed) {
      await stop();
      throw new Error(`cannot start docker-registry (install Debian's docker-registry package, as scripts/testbed.sh does): ${failed.message}`);
    }
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`docker-registry exited at start: ${stderr}`);
    }
    const answered = await fetch(`http://${host}/v2/`).then((r) => r.status, () => 0);
    if (answered === 200 || answered === 401) return { host, storageDir: path.join(dir, 'data'), stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`docker-registry did not answer on ${host}: ${stderr}`);
    }
  }
}

function registryBinary(version: '2.8' | '3'): string {
  if (version === '2.8') return 'docker-registry';
  const binary = process.env.COGPACK_TEST_REGISTRY_V3;
  if (!binary) throw new Error('COGPACK_TEST_REGISTRY_V3 is not set: scripts/testbed.sh builds distribution v3 and exports it');
  return binary;
}

/** A TCP port free on 127.0.0.1 right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
