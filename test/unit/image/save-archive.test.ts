import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chainIds } from '../../../src/image/engine-store.js';
import { legacyLayerPosition, rawJsonMembers } from '../../../src/image/legacy-v1-id.js';
import { readSaveArchive } from '../../../src/image/save-archive.js';
import { LayerSourceError } from '../../../src/image/verify.js';
import { chunkedStream, makeConfig, makeLayerTar, makeLegacySaveArchive, makeOciSaveArchive, readAll, sha256 } from '../../support/image-archives.js';

async function threeLayers() {
  const layers = [
    await makeLayerTar([{ name: 'etc/os-release', content: Buffer.from('ID=debian\n') }]),
    await makeLayerTar([{ name: 'src/weights.bin', content: randomBytes(3 << 20) }]),
    await makeLayerTar([{ name: 'src/predict.py', content: Buffer.from('class Predictor: ...\n') }]),
  ];
  const diffIds = layers.map((l) => sha256(l));
  return { layers, diffIds, config: makeConfig(diffIds) };
}

const formats = {
  'legacy (Docker < 25)': makeLegacySaveArchive,
  'OCI layout (Docker >= 25)': makeOciSaveArchive,
};

describe.each(Object.entries(formats))('reading a docker save archive: %s', (_name, makeArchive) => {
  it('hands every layer to the visitor, named by its diff ID before its bytes, in one pass', async () => {
    const { layers, diffIds, config } = await threeLayers();
    const archive = await makeArchive(layers, config);
    const seen = new Map<string, Buffer>();
    const result = await readSaveArchive(chunkedStream(archive), {
      diffIds,
      wanted: new Set(diffIds),
      visit: async (diffId, stream) => void seen.set(diffId, await readAll(stream)),
    });
    expect(result.visited).toEqual(new Set(diffIds));
    diffIds.forEach((diffId, i) => expect(seen.get(diffId)?.equals(layers[i]!)).toBe(true));
  });

  it('skips unwanted layers and stops once it has the wanted ones', async () => {
    const { layers, diffIds, config } = await threeLayers();
    const seen: string[] = [];
    const result = await readSaveArchive(chunkedStream(await makeArchive(layers, config)), {
      diffIds,
      wanted: new Set([diffIds[2]!]),
      visit: async (diffId, stream) => void seen.push(diffId, sha256(await readAll(stream))),
    });
    expect(seen).toEqual([diffIds[2], diffIds[2]]);
    expect(result.stoppedEarly).toBe(true);
  });

  it('finds the config bytes', async () => {
    const { layers, diffIds, config } = await threeLayers();
    let found: Buffer | undefined;
    await readSaveArchive(chunkedStream(await makeArchive(layers, config)), { diffIds, wanted: new Set(), configId: sha256(config), onConfig: (c) => (found = c) });
    expect(found?.equals(config)).toBe(true);
  });

  it('says which layers the archive lacks', async () => {
    const { layers, diffIds, config } = await threeLayers();
    const stranger = sha256('elsewhere');
    const failure = await readSaveArchive(chunkedStream(await makeArchive(layers, config)), {
      diffIds: [...diffIds, stranger],
      wanted: new Set([stranger]),
      visit: async (_d, stream) => void (await readAll(stream)),
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(LayerSourceError);
    expect((failure as Error).message).toContain(`layers ${stranger} are not in the docker save archive`);
  });

  it('goes on when a visit settles without reading its stream to the end', async () => {
    const { layers, diffIds, config } = await threeLayers();
    const seen = new Map<string, string>();
    await readSaveArchive(chunkedStream(await makeArchive(layers, config)), {
      diffIds,
      wanted: new Set(diffIds),
      visit: async (diffId, stream) => {
        if (diffId === diffIds[1]) {
          for await (const _chunk of stream) break; // the weights: gives up after one chunk
          seen.set(diffId, 'abandoned');
        } else {
          seen.set(diffId, sha256(await readAll(stream)));
        }
      },
    });
    expect(seen).toEqual(new Map([[diffIds[0]!, diffIds[0]!], [diffIds[1]!, 'abandoned'], [diffIds[2]!, diffIds[2]!]]));
  });

  it('passes the visitor\'s own failure through unchanged', async () => {
    const { layers, diffIds, config } = await threeLayers();
    const uploadFailed = new Error('upload failed');
    await expect(
      readSaveArchive(chunkedStream(await makeArchive(layers, config)), {
        diffIds,
        wanted: new Set(diffIds),
        visit: async () => {
          throw uploadFailed;
        },
      }),
    ).rejects.toBe(uploadFailed);
  });
});

describe('a layer whose bytes are not its diff ID', () => {
  it('errors its stream before the end (legacy archive with a swapped layer)', async () => {
    const { layers, diffIds, config } = await threeLayers();
    const archive = await makeLegacySaveArchive(layers, config);
    // Corrupt one byte inside the weights layer's contents (same length, so the tar stays valid).
    const at = archive.indexOf(layers[1]!.subarray(4096, 4160));
    archive[at] = archive[at]! ^ 0xff;
    let ended = false;
    const failure = await readSaveArchive(chunkedStream(archive), {
      diffIds,
      wanted: new Set([diffIds[1]!]),
      visit: async (_d, stream) => {
        stream.on('end', () => (ended = true));
        await readAll(stream);
      },
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(LayerSourceError);
    expect(failure).toMatchObject({ diffId: diffIds[1], source: 'docker-save' });
    expect(ended).toBe(false);
  });
});

describe('legacy v1 IDs', () => {
  // Written by a real Docker 20.10 (`docker save` of an image cogpack built): ground truth.
  const fixture = JSON.parse(readFileSync(path.join(import.meta.dirname, 'fixtures', 'docker-20.10-legacy-save.json'), 'utf8')) as {
    diffIds: string[];
    layers: Array<{ v1Id: string; json: string }>;
  };

  it('identify every layer of a real Docker 20.10 save, the top one included', () => {
    const chains = chainIds(fixture.diffIds);
    expect(fixture.layers.map((layer) => legacyLayerPosition(layer.json, chains))).toEqual(fixture.diffIds.map((_d, i) => i));
  });

  it('identify nothing when the layer stack differs', () => {
    const chains = chainIds([sha256('other'), ...fixture.diffIds.slice(1)]);
    expect(legacyLayerPosition(fixture.layers[0]!.json, chains)).toBeUndefined();
    expect(legacyLayerPosition('not json', chains)).toBeUndefined();
  });

  it('keep raw member text (Go escapes, nesting, strings with braces)', () => {
    const members = rawJsonMembers('{"a":"x\\u003cy","b":{"c":[1,{"d":"}"}]},"e":1e+06, "f" : null}');
    expect(Object.fromEntries(members)).toEqual({ a: '"x\\u003cy"', b: '{"c":[1,{"d":"}"}]}', e: '1e+06', f: 'null' });
  });
});
