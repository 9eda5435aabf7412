import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { chooseLayerEncoding, createLayerEncoder } from '../../../src/image/compress.js';
import { createGzipPool } from '../../../src/image/gzip-pool.js';
import { chunkedStream, readAll, sha256 } from '../../support/image-archives.js';

async function encode(input: Buffer, options: Parameters<typeof createLayerEncoder>[1] = {}, chunkSize = 50_000): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await pipeline(chunkedStream(input, chunkSize), createLayerEncoder('gzip', options), async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) chunks.push(chunk);
  });
  return Buffer.concat(chunks);
}

/** Text-like bytes (compress well) and random bytes (do not), mixed like a layer of code and weights. */
function mixed(size: number): Buffer {
  const text = Buffer.from('def predict(self, prompt: str) -> str:\n    return prompt.upper()\n'.repeat(Math.ceil(size / 130)));
  return Buffer.concat([text.subarray(0, size / 2), randomBytes(size / 2)]);
}

const pool = createGzipPool(2);
afterAll(() => pool.close());

describe('the parallel gzip encoder', () => {
  const blockSize = 64 * 1024;

  it.each([0, 1, blockSize - 1, blockSize, blockSize + 1, 10 * blockSize + 123])('gunzips back to the input (%i bytes)', async (size) => {
    const input = mixed(size - (size % 2));
    const output = await encode(input, { pool, blockSize });
    expect(gunzipSync(output).equals(input)).toBe(true);
  });

  it('is a stream of independent gzip members, one per block, in order', async () => {
    const input = mixed(4 * blockSize);
    const output = await encode(input, { pool, blockSize });
    let members = 0;
    for (let at = output.indexOf(Buffer.from([0x1f, 0x8b, 8])); at !== -1; at = output.indexOf(Buffer.from([0x1f, 0x8b, 8]), at + 1)) members++;
    expect(members).toBeGreaterThanOrEqual(4);
    expect(gunzipSync(output).equals(input)).toBe(true);
  });

  it('gives the same bytes for the same input and settings, whatever the workers and chunking', async () => {
    const input = mixed(3 << 20);
    const one = await encode(input, { workers: 1 }, 7_000);
    const two = await encode(input, { workers: 2 }, 1 << 20);
    const shared = await encode(input, { pool });
    expect(sha256(two)).toBe(sha256(one));
    expect(sha256(shared)).toBe(sha256(one));
    expect(sha256(await encode(input, { pool, level: 6 }))).not.toBe(sha256(one));
  });

  it('compresses text well at the default level', async () => {
    const text = Buffer.from('import torch\nfrom cog import BasePredictor\n'.repeat(50_000));
    const output = await encode(text, { pool });
    expect(output.length).toBeLessThan(text.length / 10);
  });

  it('keeps memory bounded: with nobody reading, it stops taking input', async () => {
    const encoder = createLayerEncoder('gzip', { pool, blockSize, maxBlocksInFlight: 2 });
    let pulled = 0;
    const source = Readable.from(
      (function* () {
        for (let i = 0; i < 64; i++, pulled += blockSize) yield randomBytes(blockSize);
      })(),
      { objectMode: false, highWaterMark: blockSize },
    );
    source.pipe(encoder);
    for (const deadline = Date.now() + 5000; !source.isPaused(); ) {
      if (Date.now() > deadline) throw new Error('the encoder never pushed back');
      await new Promise((resolve) => setImmediate(resolve));
    }
    // Held: the encoder's buffers, blocks in flight and the block being filled; not the input.
    expect(pulled).toBeLessThan(12 * blockSize);
    expect(encoder.readableLength + encoder.writableLength).toBeLessThan(6 * blockSize);
    const output = await readAll(encoder);
    expect(gunzipSync(output).length).toBe(64 * blockSize);
  });

  it('refuses a level outside 1–9', () => {
    expect(() => createLayerEncoder('gzip', { pool, level: 0 })).toThrow(RangeError);
  });

  it('passes bytes through unchanged for `none`', async () => {
    const input = randomBytes(100_000);
    expect((await readAll(Readable.from([input]).pipe(createLayerEncoder('none')))).equals(input)).toBe(true);
  });
});

describe('choosing a layer encoding', () => {
  it('sends random-looking weights uncompressed', () => {
    expect(chooseLayerEncoding(randomBytes(4 << 20))).toBe('none');
    expect(chooseLayerEncoding(randomBytes(1000))).toBe('none');
  });

  it('gzips code and text', () => {
    expect(chooseLayerEncoding(Buffer.from('import numpy as np\n'.repeat(200_000)))).toBe('gzip');
  });

  it('gzips an empty sample (an empty layer is tiny either way)', () => {
    expect(chooseLayerEncoding(Buffer.alloc(0))).toBe('gzip');
  });

  it('follows the saving threshold', () => {
    // Half text, half random: gzip saves a bit under half.
    const sample = Buffer.concat([Buffer.from('x = 1\n'.repeat(100_000)).subarray(0, 512 * 1024), randomBytes(512 * 1024)]);
    expect(chooseLayerEncoding(sample, { minSavings: 0.1 })).toBe('gzip');
    expect(chooseLayerEncoding(sample, { minSavings: 0.6 })).toBe('none');
  });
});
