import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';

/**
 * Rebuilding a layer's tar byte for byte from the engine's storage, the way Docker does for
 * `docker save` (vbatts/tar-split, `asm.NewOutputTarStream`): the engine keeps, per layer, the raw
 * tar headers and padding ("segments") and the list of files; file contents come from the layer's
 * unpacked directory. Only bytes are rebuilt here; the caller checks them against the diff ID.
 */

/** Where one layer lives in the engine's storage. */
export interface TarSplitLayer {
  /** `<root>/image/overlay2/layerdb/sha256/<chainID>/tar-split.json.gz` */
  tarSplitFile: string;
  /** `<root>/overlay2/<cache-id>/diff`: the layer's files, unpacked. */
  diffDir: string;
}

/** One line of tar-split's JSON stream (storage.Entry). */
interface TarSplitEntry {
  /** 1: file contents to read from disk; 2: raw bytes (headers, padding, end of archive). */
  type: number;
  name?: string;
  /** The name as base64 bytes, when it is not valid UTF-8. */
  name_raw?: string;
  size?: number;
  /** Segment: the raw bytes (base64). File: a crc64 of the contents (unused: the diff ID covers it). */
  payload?: string | null;
}

const fileEntry = 1;
const segmentEntry = 2;
/** Files up to this size are read whole, several at once; bigger ones are streamed in chunks. */
const wholeFileLimit = 1 << 20;
/** Read-ahead of small files: many tiny files would otherwise cost one thread-pool round trip each. */
const readAheadFiles = 64;
const readAheadBytes = 16 << 20;
/** Chunks handed downstream are at least this big (fewer, larger chunks hash and pipe faster). */
const outputChunk = 256 << 10;
const readChunk = 1 << 20;

/** The layer's tar, in order, in chunks of at most a few MiB. */
export async function* assembleLayerTar(layer: TarSplitLayer): AsyncGenerator<Buffer> {
  const lines = createInterface({ input: createReadStream(layer.tarSplitFile).pipe(createGunzip()), crlfDelay: Infinity });
  const pending: Array<Promise<Buffer>> = [];
  let pendingBytes = 0;
  let output: Buffer[] = [];
  let outputBytes = 0;

  const take = (chunk: Buffer): Buffer | undefined => {
    output.push(chunk);
    outputBytes += chunk.length;
    if (outputBytes < outputChunk) return undefined;
    return flushOutput();
  };
  const flushOutput = (): Buffer => {
    const chunk = output.length === 1 ? output[0]! : Buffer.concat(output, outputBytes);
    output = [];
    outputBytes = 0;
    return chunk;
  };
  const enqueue = (read: Promise<Buffer>, size: number): void => {
    read.catch(() => undefined); // awaited in order below; an early failure must not be "unhandled"
    pending.push(read);
    pendingBytes += size;
  };
  async function* dequeue(until: (count: number, bytes: number) => boolean): AsyncGenerator<Buffer> {
    while (pending.length > 0 && !until(pending.length, pendingBytes)) {
      const chunk = await pending.shift()!;
      pendingBytes -= chunk.length;
      const full = take(chunk);
      if (full) yield full;
    }
  }

  for await (const line of lines) {
    if (!line) continue;
    const entry = JSON.parse(line) as TarSplitEntry;
    if (entry.type === segmentEntry) {
      const bytes = Buffer.from(entry.payload ?? '', 'base64');
      enqueue(Promise.resolve(bytes), bytes.length);
    } else if (entry.type === fileEntry) {
      const size = entry.size ?? 0;
      // Hard links, directories and empty files carry no contents in the tar.
      if (size === 0) continue;
      const file = fileInLayer(layer.diffDir, entry);
      if (size <= wholeFileLimit) {
        enqueue(readWholeFile(file, size), size);
      } else {
        yield* dequeue(() => false);
        if (outputBytes > 0) yield flushOutput();
        yield* streamFile(file, size);
      }
    } else {
      throw new Error(`unknown tar-split entry type ${entry.type} in ${layer.tarSplitFile}`);
    }
    yield* dequeue((count, bytes) => count <= readAheadFiles && bytes <= readAheadBytes);
  }
  yield* dequeue(() => false);
  if (outputBytes > 0) yield flushOutput();
}

/** The path of an entry's contents, kept inside the layer directory whatever the name says. */
function fileInLayer(diffDir: string, entry: TarSplitEntry): string | Buffer {
  if (entry.name_raw !== undefined) {
    const name = Buffer.from(entry.name_raw, 'base64');
    if (name.toString('latin1').split('/').includes('..')) throw new Error(`tar-split entry escapes the layer: ${name.toString('latin1')}`);
    return Buffer.concat([Buffer.from(`${diffDir}/`), name]);
  }
  return path.join(diffDir, path.posix.normalize(`/${entry.name ?? ''}`));
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

/**
 * The length of the layer's tar, from its tar-split metadata alone (segments plus file sizes): one
 * pass over a small file, so an upload can announce each chunk's length before reading it.
 */
export async function layerTarSize(layer: TarSplitLayer): Promise<number> {
  const lines = createInterface({ input: createReadStream(layer.tarSplitFile).pipe(createGunzip()), crlfDelay: Infinity });
  let size = 0;
  for await (const line of lines) {
    if (!line) continue;
    const entry = JSON.parse(line) as TarSplitEntry;
    if (entry.type === segmentEntry) size += Buffer.byteLength(entry.payload ?? '', 'base64');
    else if (entry.type === fileEntry) size += entry.size ?? 0;
  }
  return size;
}
