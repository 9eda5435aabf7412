import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { blobOf, readOciArchive } from '../../../src/image/oci-archive.js';
import { chunkedStream, makeConfig, makeLayerTar, makeOciSaveArchive, readAll, sha256 } from '../../support/image-archives.js';

/** An OCI layout as a BuildKit daemon exports it: blobs in name order, the index after them. */
async function archiveOf() {
  const layers = [
    await makeLayerTar([{ name: 'usr/bin/tool', content: Buffer.from('#!/bin/sh\n') }]),
    await makeLayerTar([{ name: 'src/weights.bin', content: randomBytes(6 << 20) }]),
    await makeLayerTar([{ name: 'src/predict.py', content: Buffer.from('class Predictor: ...\n') }]),
  ];
  const config = makeConfig(layers.map((layer) => sha256(layer)));
  return { layers, config, archive: await makeOciSaveArchive(layers, config) };
}

describe('reading an OCI archive whose index comes last', () => {
  it('hands over each big blob as it streams by, and reads the order, the config and the small blobs at the end', async () => {
    const { layers, config, archive } = await archiveOf();
    const handed: Array<[string, number, string]> = [];
    const image = await readOciArchive(chunkedStream(archive), async (digest, size, stream) => void handed.push([digest, size, sha256(await readAll(stream))]));
    expect(handed).toEqual([[sha256(layers[1]!), layers[1]!.length, sha256(layers[1]!)]]);
    expect(image.layers.map((layer) => layer.digest)).toEqual(layers.map((layer) => sha256(layer)));
    expect(image.diffIds).toEqual(layers.map((layer) => sha256(layer)));
    expect(image.config.equals(config)).toBe(true);
    expect(image.configDigest).toBe(sha256(config));
    expect(image.small.get(sha256(layers[0]!))?.equals(layers[0]!)).toBe(true);
    expect(image.small.has(sha256(layers[1]!))).toBe(false); // the big one was not kept
  });

  it('goes on past a big blob its reader skipped (the registry had it)', async () => {
    const { layers, archive } = await archiveOf();
    const image = await readOciArchive(chunkedStream(archive), async () => undefined);
    expect(image.layers).toHaveLength(layers.length);
  });

  it('finds one blob in another read of the archive, and stops that read once it is consumed', async () => {
    const { layers, archive } = await archiveOf();
    const source = chunkedStream(archive);
    const blob = await blobOf(source, sha256(layers[1]!));
    expect(sha256(await readAll(blob))).toBe(sha256(layers[1]!));
    expect(source.destroyed).toBe(true);
    await expect(blobOf(chunkedStream(archive), sha256('not there'))).rejects.toThrow(/no longer holds/);
  });

  it('an archive without its index, or whose index names what it lacks, is refused', async () => {
    const { layers } = await archiveOf();
    const noIndex = await makeLayerTar([{ name: `blobs/sha256/${sha256(layers[0]!).slice(7)}`, content: layers[0]! }]);
    await expect(readOciArchive(chunkedStream(noIndex), async () => undefined)).rejects.toThrow('has no index.json');
  });
});
