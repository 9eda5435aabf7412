import path from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

/**
 * Rebuilding a layer's tar byte for byte from the engine's storage, the way Docker does for
 * `docker save` (vbatts/tar-split, `asm.NewOutputTarStream`): the engine keeps, per layer, the raw
 * tar headers and padding ("segments") and the list of files; file contents come from the layer's
 * unpacked directory. Only bytes are rebuilt here; the caller checks them against the diff ID.
 *
 * Two passes over the (small, gzipped) metadata: the first lists the files whose contents are
 * needed, so whoever reads them (the file system, or a helper container: store-files.ts) can hand
 * them over as one stream in order; the second interleaves those contents with the segments.
 */

/** Where one layer lives in the engine's storage. */
export interface TarSplitLayer {
  /** The layer's `tar-split.json.gz`, as stored. */
  tarSplit: Buffer;
  /** The layer's unpacked directory, relative to the engine's data root (`overlay2/<cache-id>/diff`). */
  diffDir: string;
}

/** A file whose contents the layer's tar holds: its path inside the layer, and its length. */
export interface LayerFile {
  /** `/`-separated and relative; raw bytes when the name is not valid UTF-8. */
  name: string | Buffer;
  size: number;
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
/** Chunks handed downstream are at least this big (fewer, larger chunks hash and pipe faster). */
const outputChunk = 256 << 10;

/**
 * The first pass: the tar's length, and the files whose contents it holds, in order (hard links,
 * directories and empty files carry none).
 */
export async function scanTarSplit(tarSplit: Buffer): Promise<{ size: number; files: LayerFile[] }> {
  let size = 0;
  const files: LayerFile[] = [];
  for await (const entry of entries(tarSplit)) {
    if (entry.type === segmentEntry) size += Buffer.byteLength(entry.payload ?? '', 'base64');
    else if (entry.type === fileEntry && (entry.size ?? 0) > 0) {
      files.push({ name: fileName(entry), size: entry.size! });
      size += entry.size!;
    }
  }
  return { size, files };
}

/**
 * The second pass: the layer's tar, in order, with each file's contents taken from `contents`
 * (every listed file's bytes, concatenated in the order `scanTarSplit` gave).
 */
export async function* assembleLayerTar(tarSplit: Buffer, contents: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const source = contents[Symbol.asyncIterator]();
  try {
    yield* assemble(tarSplit, source);
  } finally {
    // Stopped early (the upload failed, or read the layer again): the contents' files close now.
    await source.return?.();
  }
}

async function* assemble(tarSplit: Buffer, source: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  let carry: Buffer | undefined;
  let output: Buffer[] = [];
  let outputBytes = 0;
  const flush = (): Buffer => {
    const chunk = output.length === 1 ? output[0]! : Buffer.concat(output, outputBytes);
    output = [];
    outputBytes = 0;
    return chunk;
  };
  for await (const entry of entries(tarSplit)) {
    if (entry.type === segmentEntry) {
      output.push(Buffer.from(entry.payload ?? '', 'base64'));
      outputBytes += output.at(-1)!.length;
    } else if (entry.type === fileEntry) {
      let left = entry.size ?? 0;
      while (left > 0) {
        if (!carry) {
          const next = await source.next();
          if (next.done) throw new Error(`the contents of ${String(fileName(entry))} end ${left} bytes before the size the layer's tar says (${entry.size})`);
          carry = next.value;
          continue;
        }
        const take = Math.min(left, carry.length);
        output.push(carry.subarray(0, take));
        outputBytes += take;
        carry = take < carry.length ? carry.subarray(take) : undefined;
        left -= take;
        // A big file goes out as it comes: never more than a chunk or so held here.
        if (outputBytes >= outputChunk) yield flush();
      }
    } else {
      throw new Error(`unknown tar-split entry type ${entry.type}`);
    }
    if (outputBytes >= outputChunk) yield flush();
  }
  if (outputBytes > 0) yield flush();
  if (carry || !(await source.next()).done) throw new Error('the layer\'s files hold more bytes than its tar says');
}

/** The tar-split entries, one JSON line each. */
async function* entries(tarSplit: Buffer): AsyncGenerator<TarSplitEntry> {
  const lines = createInterface({ input: Readable.from([tarSplit]).pipe(createGunzip()), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line) yield JSON.parse(line) as TarSplitEntry;
  }
}

/** An entry's path inside the layer, checked never to leave it. */
function fileName(entry: TarSplitEntry): string | Buffer {
  if (entry.name_raw !== undefined) {
    const name = Buffer.from(entry.name_raw, 'base64');
    if (name.toString('latin1').split('/').includes('..')) throw new Error(`tar-split entry escapes the layer: ${name.toString('latin1')}`);
    return name[0] === 0x2f ? name.subarray(1) : name;
  }
  return path.posix.normalize(`/${entry.name ?? ''}`).slice(1);
}
