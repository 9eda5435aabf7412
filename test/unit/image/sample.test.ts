import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { peekStream } from '../../../src/image/sample.js';
import { chunkedStream, readAll } from '../../support/image-archives.js';

describe('peeking at the head of a layer stream', () => {
  it('gives the first bytes, and a stream of all the bytes from the start', async () => {
    const input = randomBytes(1_000_000);
    let reads = 0;
    const source = Readable.from(
      (function* () {
        for (let at = 0; at < input.length; at += 30_000, reads++) yield input.subarray(at, at + 30_000);
      })(),
      { objectMode: false },
    );
    const { sample, stream } = await peekStream(source, 100_000);
    expect(sample.equals(input.subarray(0, 100_000))).toBe(true);
    expect((await readAll(stream)).equals(input)).toBe(true);
    expect(reads).toBe(Math.ceil(1_000_000 / 30_000)); // each chunk of the source read once
  });

  it('handles a stream shorter than the sample, and an empty one', async () => {
    const short = Buffer.from('tiny layer');
    const peeked = await peekStream(Readable.from([short]), 4096);
    expect(peeked.sample.equals(short)).toBe(true);
    expect((await readAll(peeked.stream)).equals(short)).toBe(true);
    const empty = await peekStream(Readable.from([]), 4096);
    expect(empty.sample.length).toBe(0);
    expect((await readAll(empty.stream)).length).toBe(0);
  });

  it('passes a source error on, and destroying the result destroys the source', async () => {
    const failing = new Readable({ read() {} });
    failing.push(Buffer.alloc(10));
    setImmediate(() => failing.destroy(new Error('disk gone')));
    await expect(peekStream(failing, 100)).rejects.toThrow('disk gone');

    const source = chunkedStream(randomBytes(500_000), 10_000);
    const { stream } = await peekStream(source, 20_000);
    stream.destroy();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(source.destroyed).toBe(true);
  });
});
