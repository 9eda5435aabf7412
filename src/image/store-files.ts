import { constants } from 'node:fs';
import { access, open, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { LayerFile } from './tar-split.js';

/**
 * Read access to the engine's storage (its data root, `/var/lib/docker`): directly, for root on
 * the engine's machine, or through a helper container for a user in the `docker` group
 * (store-helper.ts). Paths are relative to the data root.
 */
export interface StoreFiles {
  /** How the storage is read, for --debug and cog doctor. */
  readonly describe: string;
  /** A small file of the store, whole; undefined when it is not there or cannot be read. */
  read(relative: string): Promise<Buffer | undefined>;
  /** The contents of `files` of the directory `dir`, concatenated in the order given. */
  contents(dir: string, files: LayerFile[]): AsyncIterable<Buffer>;
  /** Ends what reading needed (a helper container); idempotent. */
  close(): Promise<void>;
}

/** Files up to this size are read whole, several at once; bigger ones are streamed in chunks. */
const wholeFileLimit = 1 << 20;
/** Read-ahead of small files: many tiny files would otherwise cost one thread-pool round trip each. */
const readAheadFiles = 64;
const readAheadBytes = 4 << 20;
const readChunk = 1 << 20;

/** Whether the data root can be read here as files (root, or a rootless engine's own directory). */
export async function canReadStore(root: string): Promise<boolean> {
  try {
    await access(path.join(root, 'image', 'overlay2', 'layerdb', 'sha256'), constants.R_OK | constants.X_OK);
    await access(path.join(root, 'overlay2'), constants.R_OK | constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function directStoreFiles(root: string): StoreFiles {
  return {
    describe: `the engine's storage at ${root}`,
    read: (relative) => readFile(path.join(root, relative)).catch(() => undefined),
    contents: (dir, files) => readInOrder(path.join(root, dir), files),
    close: async () => undefined,
  };
}

/** Each file's contents in order: small files read ahead several at once, big ones in chunks. */
async function* readInOrder(dir: string, files: LayerFile[]): AsyncGenerator<Buffer> {
  const pending: Array<Promise<Buffer>> = [];
  let pendingBytes = 0;
  let next = 0;
  const enqueueSmall = (): void => {
    while (next < files.length && files[next]!.size <= wholeFileLimit && pending.length < readAheadFiles && pendingBytes < readAheadBytes) {
      const file = files[next++]!;
      const read = readWholeFile(inDir(dir, file.name), file.size);
      read.catch(() => undefined); // awaited in order below; an early failure must not be "unhandled"
      pending.push(read);
      pendingBytes += file.size;
    }
  };
  for (;;) {
    enqueueSmall();
    if (pending.length > 0) {
      const bytes = await pending.shift()!;
      pendingBytes -= bytes.length;
      yield bytes;
      continue;
    }
    if (next >= files.length) return;
    const big = files[next++]!;
    yield* streamFile(inDir(dir, big.name), big.size);
  }
}

/** A file's path, kept inside the layer directory whatever its name says (tar-split.ts checked it). */
function inDir(dir: string, name: string | Buffer): string | Buffer {
  return typeof name === 'string' ? path.join(dir, name) : Buffer.concat([Buffer.from(`${dir}/`), name]);
}

async function readWholeFile(file: string | Buffer, size: number): Promise<Buffer> {
  const bytes = await readFile(file);
  if (bytes.length !== size) throw new Error(`${String(file)} has ${bytes.length} bytes, the layer's tar says ${size}`);
  return bytes;
}

async function* streamFile(file: string | Buffer, size: number): AsyncGenerator<Buffer> {
  const handle = await open(file, 'r');
  try {
    let left = size;
    while (left > 0) {
      const chunk = Buffer.allocUnsafe(Math.min(readChunk, left));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) throw new Error(`${String(file)} ends ${left} bytes before the size the layer's tar says (${size})`);
      left -= bytesRead;
      yield bytesRead === chunk.length ? chunk : chunk.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}
