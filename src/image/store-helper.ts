import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, constants, openSync } from 'node:fs';
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import type { DockerCli } from '../docker/process.js';
import type { StoreFiles } from './store-files.js';
import type { LayerFile } from './tar-split.js';

/**
 * The engine's storage read through a throwaway container, for a user who may use the engine
 * (the `docker` group) but cannot read its data root: the container mounts the data root
 * read-only and copies the files asked for into FIFOs in a private directory of this user's,
 * also mounted. The bytes go from the page cache through a pipe, as fast as reading the files
 * directly (1.6 GB in 1.3 s here), where the engine's own export (`docker save`) first copies the
 * whole image aside (11 s of 15 s for 1.9 GB on Docker 20.10).
 *
 * Only for an engine on this machine (a unix socket): the FIFOs must be the same files on both
 * sides. Anything that goes wrong (the image has no `sh`, a VM between the engine and this
 * machine, SELinux refusing the mount) makes `startStoreHelper` fail, and the caller falls back
 * to the export. The container runs `--network none`, as root (the data root is root's), with
 * the image being pushed (it is local by definition) and `sh`, `cat`, `xargs`, `tar`.
 *
 * It removes itself: its one process waits on a FIFO that this process holds open, so it ends
 * (and `--rm` removes it) when this process closes it or dies, even by SIGKILL.
 */

const execFileAsync = promisify(execFile);

/** How long the helper may take to start and answer its first read before it is given up. */
const startTimeoutMs = 20_000;

export interface StoreHelperOptions {
  /** The engine's data root, as it names it (`docker info` DockerRootDir). */
  root: string;
  /** A local image with `sh`: the one being pushed. */
  image: string;
  /** A file of the store to read first, proving the helper can read the store (the image's config). */
  probeFile: string;
}

export async function startStoreHelper(docker: DockerCli, options: StoreHelperOptions): Promise<StoreFiles> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cogpack-store-'));
  const name = `cog-store-${randomBytes(6).toString('hex')}`;
  let lifeline: number | undefined;
  let started = false;
  let closed = false;
  let fifos = 0;

  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    if (lifeline !== undefined) closeSync(lifeline);
    if (started) await docker.run(['rm', '--force', name]).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };

  /** Runs `script` in the helper with its stdout into a new FIFO, which is returned as a stream. */
  const run = async (script: string): Promise<{ stream: Readable; exited: Promise<number> }> => {
    const fifo = `out-${fifos++}`;
    await execFileAsync('mkfifo', ['-m', '0600', path.join(dir, fifo)]);
    // Non-blocking: the open returns at once, and a pipe handle reads it as data comes (no
    // thread of the pool waits for the writer); no end of file is seen before a writer has come.
    const fd = openSync(path.join(dir, fifo), constants.O_RDONLY | constants.O_NONBLOCK);
    const stream = new Socket({ fd, readable: true, writable: false });
    stream.once('close', () => void unlink(path.join(dir, fifo)).catch(() => undefined));
    const exited = docker.run(['exec', name, 'sh', '-c', `${script} > /cogpack/${fifo}`]).then((result) => {
      if (result.exitCode !== 0) stream.destroy(new Error(`the helper container could not read the engine's storage: ${result.stderrTail.slice(-3).join(' ') || `exit ${result.exitCode}`}`));
      return result.exitCode;
    });
    exited.catch((error: unknown) => stream.destroy(error as Error));
    return { stream, exited };
  };

  const readWhole = async (script: string): Promise<Buffer | undefined> => {
    const { stream, exited } = await run(script);
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of stream) chunks.push(chunk as Buffer);
    } catch {
      return undefined;
    }
    return (await exited) === 0 ? Buffer.concat(chunks) : undefined;
  };

  try {
    await execFileAsync('mkfifo', ['-m', '0600', path.join(dir, 'lifeline')]);
    // Read and write: this process stays a writer of the lifeline until it closes it or dies.
    lifeline = openSync(path.join(dir, 'lifeline'), constants.O_RDWR);
    const startedRun = await docker.run([
      'run', '--detach', '--rm', '--name', name, '--network', 'none', '--user', '0:0', '--entrypoint', 'sh',
      '--volume', `${options.root}:/engine:ro`, '--volume', `${dir}:/cogpack`,
      options.image, '-c', 'cat /cogpack/lifeline > /dev/null',
    ]);
    if (startedRun.exitCode !== 0) throw new Error(`the helper container did not start: ${startedRun.stderrTail.slice(-2).join(' ')}`);
    started = true;
    const probe = await withTimeout(readWhole(`cat ${quote(`/engine/${options.probeFile}`)}`), startTimeoutMs);
    if (probe === undefined || probe.length === 0) throw new Error('the helper container could not read the engine\'s storage (its mounts did not reach it)');
  } catch (error) {
    await close();
    throw error;
  }

  // Reads asked for in the same turn (every layer's cache-id, then every tar-split) go in one
  // `tar` of them all: one exec (~70 ms) instead of one each.
  let batch: Array<{ relative: string; resolve: (bytes: Buffer | undefined) => void; reject: (error: unknown) => void }> = [];
  const readBatch = async (): Promise<void> => {
    const wanted = batch;
    batch = [];
    try {
      const found = await readMany(run, wanted.map((read) => read.relative));
      for (const read of wanted) read.resolve(found.get(read.relative));
    } catch (error) {
      for (const read of wanted) read.reject(error);
    }
  };

  return {
    describe: `the engine's storage at ${options.root}, through a helper container (${name})`,
    read: (relative) =>
      new Promise((resolve, reject) => {
        if (batch.length === 0) setImmediate(() => void readBatch());
        batch.push({ relative, resolve, reject });
      }),
    contents: (layerDir, files) => contentsOf(run, dir, layerDir, files),
    close,
  };
}

/** Whole files of the store, by path relative to its root, as one tar; a file that is not there is left out. */
async function readMany(run: (script: string) => Promise<{ stream: Readable; exited: Promise<number> }>, paths: string[]): Promise<Map<string, Buffer>> {
  const { default: tar } = await import('tar-stream');
  const words = paths.map((file) => quote(file)).join(' ');
  const { stream, exited } = await run(`cd /engine && set -- && for f in ${words}; do [ -r "$f" ] && set -- "$@" "$f"; done; [ $# -eq 0 ] || tar -cf - -- "$@"`);
  const found = new Map<string, Buffer>();
  const extract = tar.extract();
  stream.on('error', (error) => extract.destroy(error));
  stream.pipe(extract);
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry as unknown as AsyncIterable<Buffer>) chunks.push(chunk);
    found.set(entry.header.name.replace(/^\.\//, ''), Buffer.concat(chunks));
  }
  if ((await exited) !== 0) throw new Error('the helper container could not list the engine\'s storage');
  return found;
}

/** The files' contents, concatenated in order, copied by `xargs cat` from a NUL-separated list. */
async function* contentsOf(run: (script: string) => Promise<{ stream: Readable }>, dir: string, layerDir: string, files: LayerFile[]): AsyncGenerator<Buffer> {
  if (files.length === 0) return;
  const list = `list-${randomBytes(6).toString('hex')}`;
  await writeFile(path.join(dir, list), Buffer.concat(files.flatMap((file) => [Buffer.from(file.name), Buffer.from([0])])));
  let stream: Readable | undefined;
  try {
    ({ stream } = await run(`cd ${quote(`/engine/${layerDir}`)} && xargs -0 cat -- < /cogpack/${list}`));
    yield* stream as AsyncIterable<Buffer>;
  } finally {
    // Abandoned early (the upload failed): the writer gets EPIPE instead of waiting forever.
    stream?.destroy();
    await unlink(path.join(dir, list)).catch(() => undefined);
  }
}

/** A shell word for a path made of the store's own names (hex digests, cache IDs). */
function quote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the helper container did not answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
