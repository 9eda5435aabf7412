import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { chainIds, createEngineStoreSource, locateLayer } from '../../../src/image/engine-store.js';
import { directStoreFiles } from '../../../src/image/store-files.js';
import { assembleLayerTar, scanTarSplit } from '../../../src/image/tar-split.js';
import { LayerSourceError } from '../../../src/image/verify.js';
import { makeConfig, makeLayerTar, readAll, sha256, writeEngineStore } from '../../support/image-archives.js';

const roots: string[] = [];
function tempRoot(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'cogpack-store-'));
  roots.push(root);
  return root;
}
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A layer with every kind of entry the rebuild has to get right. */
async function awkwardLayer(): Promise<Buffer> {
  return makeLayerTar([
    { name: 'src/', type: 'directory' },
    { name: 'src/empty.txt', content: Buffer.alloc(0) },
    { name: 'src/one.txt', content: Buffer.from('1') },
    { name: 'src/block.bin', content: randomBytes(512) },
    { name: 'src/block-and-one.bin', content: randomBytes(513) },
    { name: 'src/big.bin', content: randomBytes(3 * 1024 * 1024 + 7) }, // streamed, not read whole
    { name: `src/${'long-name-'.repeat(15)}.py`, content: Buffer.from('print(1)\n') }, // PAX header
    { name: 'src/link', type: 'symlink', linkname: 'one.txt' },
    { name: 'src/hard', type: 'link', linkname: 'src/one.txt' },
    ...Array.from({ length: 300 }, (_, i) => ({ name: `src/many/${i}.txt`, content: Buffer.from(`file ${i}\n`.repeat(i)) })),
  ]);
}

async function visitAll(source: ReturnType<typeof createEngineStoreSource>, wanted: string[], concurrency = 2) {
  const seen = new Map<string, Buffer>();
  await source.forEachLayer(wanted, async (diffId, stream) => void seen.set(diffId, await readAll(stream)), { concurrency });
  return seen;
}

describe('chain IDs', () => {
  it('follow the image spec: the first is the diff ID, then sha256 of "<parent chain> <diff>"', () => {
    const a = sha256('a');
    const b = sha256('b');
    expect(chainIds([a, b])).toEqual([a, sha256(`${a} ${b}`)]);
  });
});

describe('rebuilding a layer from tar-split metadata', () => {
  it('gives the original tar byte for byte', async () => {
    const root = tempRoot();
    const layer = await awkwardLayer();
    const { chainIds: chains } = writeEngineStore(root, [layer], makeConfig([sha256(layer)]));
    const files = directStoreFiles(root);
    const located = await locateLayer({ root, driver: 'overlay2', files }, chains[0]!);
    const scan = await scanTarSplit(located.tarSplit);
    expect(scan.size).toBe(layer.length);
    const chunks: Buffer[] = [];
    for await (const chunk of assembleLayerTar(located.tarSplit, files.contents(located.diffDir, scan.files))) chunks.push(chunk);
    const rebuilt = Buffer.concat(chunks);
    // The 3 MiB file went out as it was read, not gathered whole first.
    expect(Math.max(...chunks.map((chunk) => chunk.length))).toBeLessThanOrEqual(2 << 20);
    expect(rebuilt.length).toBe(layer.length);
    expect(rebuilt.equals(layer)).toBe(true);
  });
});

describe('the engine-store source', () => {
  it('reads every layer, in parallel, each stream hashing to its diff ID', async () => {
    const root = tempRoot();
    const layers = [await awkwardLayer(), await makeLayerTar([{ name: 'weights.bin', content: randomBytes(2 << 20) }]), await makeLayerTar([])];
    const { diffIds } = writeEngineStore(root, layers, makeConfig(layers.map((l) => sha256(l))));
    const source = createEngineStoreSource({ root, driver: 'overlay2', files: directStoreFiles(root) }, { id: 'sha256:x', diffIds });
    const seen = await visitAll(source, diffIds, 3);
    expect([...seen.keys()].sort()).toEqual([...diffIds].sort());
    for (const [diffId, bytes] of seen) expect(sha256(bytes)).toBe(diffId);
  });

  it('announces each layer\'s tar length before it is read (from the tar-split metadata)', async () => {
    const root = tempRoot();
    const layers = [await awkwardLayer(), await makeLayerTar([{ name: 'weights.bin', content: randomBytes(3 << 20) }]), await makeLayerTar([])];
    const { diffIds } = writeEngineStore(root, layers, makeConfig(layers.map((l) => sha256(l))));
    const source = createEngineStoreSource({ root, driver: 'overlay2', files: directStoreFiles(root) }, { id: 'sha256:x', diffIds });
    const sizes = new Map<string, number | undefined>();
    await source.forEachLayer(diffIds, async (diffId, stream, size) => {
      sizes.set(diffId, size);
      await readAll(stream);
    });
    expect(diffIds.map((diffId) => sizes.get(diffId))).toEqual(layers.map((layer) => layer.length));
  });

  it('reads the largest layers first: the longest upload starts at once', async () => {
    const root = tempRoot();
    const layers = [
      await makeLayerTar([{ name: 'small', content: randomBytes(1 << 10) }]),
      await makeLayerTar([{ name: 'large', content: randomBytes(3 << 20) }]),
      await makeLayerTar([{ name: 'medium', content: randomBytes(1 << 20) }]),
    ];
    const { diffIds } = writeEngineStore(root, layers, makeConfig(layers.map((l) => sha256(l))));
    const source = createEngineStoreSource({ root, driver: 'overlay2', files: directStoreFiles(root) }, { id: 'sha256:x', diffIds });
    const order: string[] = [];
    await source.forEachLayer(diffIds, async (diffId, stream) => {
      order.push(diffId);
      await readAll(stream);
    }, { concurrency: 1 });
    expect(order).toEqual([diffIds[1], diffIds[2], diffIds[0]]);
  });

  it('reads one layer without touching the others', async () => {
    const root = tempRoot();
    const layers = [await makeLayerTar([{ name: 'a', content: Buffer.from('a') }]), await makeLayerTar([{ name: 'b', content: Buffer.from('b') }])];
    const { diffIds, diffDirs } = writeEngineStore(root, layers, makeConfig(layers.map((l) => sha256(l))));
    rmSync(diffDirs[0]!, { recursive: true }); // the first layer's files are gone: reading it would fail
    const source = createEngineStoreSource({ root, driver: 'overlay2', files: directStoreFiles(root) }, { id: 'sha256:x', diffIds });
    const seen = await visitAll(source, [diffIds[1]!]);
    expect(seen.get(diffIds[1]!)?.equals(layers[1]!)).toBe(true);
  });

  it('fails a layer whose files changed with a LayerSourceError naming it, before the stream ends', async () => {
    const root = tempRoot();
    const layer = await makeLayerTar([{ name: 'model.py', content: Buffer.from('weights = 1\n') }]);
    const { diffIds, diffDirs } = writeEngineStore(root, [layer], makeConfig([sha256(layer)]));
    writeFileSync(path.join(diffDirs[0]!, 'model.py'), 'weights = 2\n'); // same size, other bytes
    const source = createEngineStoreSource({ root, driver: 'overlay2', files: directStoreFiles(root) }, { id: 'sha256:x', diffIds });
    let ended = false;
    const failure = await source
      .forEachLayer(diffIds, async (_diffId, stream) => {
        stream.on('end', () => (ended = true));
        await readAll(stream);
      })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(LayerSourceError);
    expect(failure).toMatchObject({ diffId: diffIds[0], source: 'engine-store' });
    expect((failure as Error).message).toContain('hashes to');
    expect(ended).toBe(false);
  });

  it('fails a layer whose file is shorter than its tar says', async () => {
    const root = tempRoot();
    const layer = await makeLayerTar([{ name: 'w.bin', content: randomBytes(2 << 20) }]);
    const { diffIds, diffDirs } = writeEngineStore(root, [layer], makeConfig([sha256(layer)]));
    truncateSync(path.join(diffDirs[0]!, 'w.bin'), 1000);
    const source = createEngineStoreSource({ root, driver: 'overlay2', files: directStoreFiles(root) }, { id: 'sha256:x', diffIds });
    const failure = await visitAll(source, diffIds).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(LayerSourceError);
    expect((failure as Error).message).toMatch(/ends .* before the size/);
  });

  it('fails a layer missing from the layer store, and a diff ID that is not the image\'s', async () => {
    const root = tempRoot();
    const layer = await makeLayerTar([{ name: 'a', content: Buffer.from('a') }]);
    const { diffIds } = writeEngineStore(root, [layer], makeConfig([sha256(layer)]));
    const other = sha256('not stored');
    const source = createEngineStoreSource({ root, driver: 'overlay2', files: directStoreFiles(root) }, { id: 'sha256:x', diffIds: [...diffIds, other] });
    await expect(visitAll(source, [other])).rejects.toThrow(/not in the engine's layer store/);
    await expect(visitAll(source, [sha256('stranger')])).rejects.toThrow(/is not a layer of image/);
  });

  it('stops at an abort, destroying the streams being read', async () => {
    const root = tempRoot();
    const layer = await makeLayerTar([{ name: 'w.bin', content: randomBytes(4 << 20) }]);
    const { diffIds } = writeEngineStore(root, [layer], makeConfig([sha256(layer)]));
    const source = createEngineStoreSource({ root, driver: 'overlay2', files: directStoreFiles(root) }, { id: 'sha256:x', diffIds });
    const controller = new AbortController();
    const visit = async (_diffId: string, stream: Readable) => {
      for await (const _chunk of stream) controller.abort(new Error('stopped by the user'));
    };
    await expect(source.forEachLayer(diffIds, visit, { signal: controller.signal })).rejects.toThrow('stopped by the user');
  });

  it('lets a visit settle without reading its stream to the end (it read the layer another way)', async () => {
    const root = tempRoot();
    const layers = [await makeLayerTar([{ name: 'w.bin', content: randomBytes(3 << 20) }]), await makeLayerTar([{ name: 'a', content: Buffer.from('a') }])];
    const { diffIds } = writeEngineStore(root, layers, makeConfig(layers.map((l) => sha256(l))));
    const source = createEngineStoreSource({ root, driver: 'overlay2', files: directStoreFiles(root) }, { id: 'sha256:x', diffIds });
    const seen: string[] = [];
    await source.forEachLayer(diffIds, async (diffId, stream) => {
      if (diffId === diffIds[0]) {
        for await (const _chunk of stream) break; // gives up after one chunk
        const again = await visitAll(source, [diffId]); // and reads it again, as a retry does
        expect(again.get(diffId)?.equals(layers[0]!)).toBe(true);
      } else {
        await readAll(stream);
      }
      seen.push(diffId);
    }, { concurrency: 1 });
    expect(seen).toEqual(diffIds);
  });
});
