import { describe, expect, it } from 'vitest';
import { ChunkBufferPool } from '../../../src/registry/chunk-buffers.js';

describe('ChunkBufferPool', () => {
  it('reuses a released buffer instead of allocating another', async () => {
    const pool = new ChunkBufferPool(1);
    const first = await pool.acquire(1000);
    pool.release(first);
    const second = await pool.acquire(500);
    expect(second.buffer).toBe(first.buffer);
    expect(second.length).toBe(500);
  });

  it('makes an upload wait when every buffer is in use', async () => {
    const pool = new ChunkBufferPool(1);
    const held = await pool.acquire(10);
    let got = false;
    const waiting = pool.acquire(10).then((b) => {
      got = true;
      return b;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(got).toBe(false);
    pool.release(held);
    expect((await waiting).buffer).toBe(held.buffer);
  });

  it('replaces a free buffer that is too small rather than exceed the cap', async () => {
    const pool = new ChunkBufferPool(1);
    pool.release(await pool.acquire(10));
    const big = await pool.acquire(100);
    expect(big.length).toBe(100);
  });

  it('refuses a buffer it did not hand out', () => {
    expect(() => new ChunkBufferPool(1).release(Buffer.alloc(4))).toThrow();
  });
});
