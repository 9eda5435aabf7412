import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { cliImageExporter } from '../../../src/docker/image-export.js';
import { createDockerSaveSource } from '../../../src/image/docker-save.js';
import { probeEngineStore, type EngineStoreProbe } from '../../../src/image/engine-store.js';
import { directStoreFiles } from '../../../src/image/store-files.js';
import type { startStoreHelper } from '../../../src/image/store-helper.js';
import { inspectLocalImage } from '../../../src/image/inspect.js';
import { openLayerSource } from '../../../src/image/open-source.js';
import type { LocalImage } from '../../../src/image/types.js';
import { LayerSourceError } from '../../../src/image/verify.js';
import { fakeDocker, type FakeAnswer } from '../../support/fake-docker.js';
import { chunkedStream, makeConfig, makeLayerTar, makeLegacySaveArchive, readAll, sha256, writeEngineStore } from '../../support/image-archives.js';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** An image both in a fake engine store and in a fake `docker save`, and a docker that answers for it. */
async function fixtureImage(options: { driver?: string; extra?: Record<string, FakeAnswer> } = {}) {
  const root = mkdtempSync(path.join(tmpdir(), 'cogpack-open-'));
  roots.push(root);
  const layers = [
    await makeLayerTar([{ name: 'usr/lib/python3.11/os.py', content: Buffer.from('import sys\n'.repeat(500)) }]),
    await makeLayerTar([{ name: 'src/weights.bin', content: randomBytes(1 << 20) }]),
    await makeLayerTar([{ name: 'src/predict.py', content: Buffer.from('class Predictor: ...\n') }]),
  ];
  const diffIds = layers.map((l) => sha256(l));
  const config = makeConfig(diffIds);
  const id = sha256(config);
  const store = writeEngineStore(root, layers, config);
  const archive = await makeLegacySaveArchive(layers, config);
  const docker = fakeDocker({
    'info --format {{json .}}': { stdout: JSON.stringify({ Driver: options.driver ?? 'overlay2', DockerRootDir: root }) },
    'image inspect --format {{json .}} my-model': { stdout: JSON.stringify({ Id: id, Size: 1, RootFS: { Layers: diffIds } }) },
    [`save ${id}`]: { stdoutStream: () => chunkedStream(archive) },
    ...options.extra,
  });
  const image: LocalImage = { id, diffIds };
  return { root, layers, diffIds, config, id, docker, image, store };
}

async function readLayers(source: { forEachLayer: LocalImageSource['forEachLayer'] }, wanted: string[]) {
  const seen: Array<[string, string]> = [];
  await source.forEachLayer(wanted, async (diffId, stream) => void seen.push([diffId, sha256(await readAll(stream))]));
  return seen;
}
type LocalImageSource = Awaited<ReturnType<typeof openLayerSource>>;

describe('probing the engine store', () => {
  it('is available for a local overlay2 engine whose data root is readable', async () => {
    const { docker, root } = await fixtureImage();
    expect(await probeEngineStore(docker, {})).toMatchObject({ available: true, store: { root, driver: 'overlay2', files: { describe: `the engine's storage at ${root}` } } });
  });

  it('is not for a remote engine, another driver, or an unreadable root, and says why', async () => {
    const { docker } = await fixtureImage();
    expect(await probeEngineStore(docker, { DOCKER_HOST: 'tcp://10.0.0.2:2376' })).toMatchObject({ available: false, reason: expect.stringContaining('not local') });
    const other = await fixtureImage({ driver: 'btrfs' });
    expect(await probeEngineStore(other.docker, {})).toMatchObject({ available: false, reason: expect.stringContaining('btrfs') });
    const gone = fakeDocker({ 'info --format {{json .}}': { stdout: JSON.stringify({ Driver: 'overlay2', DockerRootDir: '/nonexistent/docker' }) } });
    // A local engine whose root this user cannot read: a helper container may read it instead.
    expect(await probeEngineStore(gone, {})).toMatchObject({ available: false, reason: expect.stringContaining('not readable'), helperRoot: '/nonexistent/docker' });
  });
});

describe('inspecting a local image', () => {
  it('takes the ID and diff IDs from the engine, reading no layer and no export', async () => {
    const { docker, diffIds, id } = await fixtureImage();
    expect(await inspectLocalImage(docker, 'my-model')).toEqual({ id, diffIds });
    expect(docker.calls.map((c) => c.argv[0])).toEqual(['image']);
  });
});

describe('the image config, exactly as the engine stores it', () => {
  it('from the engine store when it can', async () => {
    const { docker, config, image } = await fixtureImage();
    const source = await openLayerSource(docker, image, { exporter: cliImageExporter(docker) });
    expect(source.kind).toBe('engine-store');
    expect((await source.readConfig()).equals(config)).toBe(true);
    expect(docker.calls.some((c) => c.argv[0] === 'save')).toBe(false);
  });

  it('else from the same export that delivered the layers: no export of its own', async () => {
    const { docker, config, image, diffIds } = await fixtureImage();
    const source = createDockerSaveSource(cliImageExporter(docker), image);
    await readLayers(source, [diffIds[0]!]);
    expect((await source.readConfig()).equals(config)).toBe(true);
    expect(docker.calls.filter((c) => c.argv[0] === 'save')).toHaveLength(1);
  });

  it('or from an export of its own, when no layer had to be read', async () => {
    const { docker, config, image } = await fixtureImage();
    const source = createDockerSaveSource(cliImageExporter(docker), image);
    expect((await source.readConfig()).equals(config)).toBe(true);
    expect(docker.calls.filter((c) => c.argv[0] === 'save')).toHaveLength(1);
  });

  it('refuses bytes that are not the image\'s config', async () => {
    const { diffIds, layers } = await fixtureImage();
    const other = makeConfig([...diffIds].reverse());
    const archive = await makeLegacySaveArchive(layers, other);
    const docker = fakeDocker({ [`save ${sha256(other)}`]: { stdoutStream: () => chunkedStream(archive) } });
    await expect(createDockerSaveSource(cliImageExporter(docker), { id: sha256(other), diffIds }).readConfig()).rejects.toThrow(/its config lists layers/);
  });
});

describe('the docker-save source', () => {
  it('re-runs docker save for a subset and ends it once it has the layers', async () => {
    const { docker, image, diffIds } = await fixtureImage();
    const source = createDockerSaveSource(cliImageExporter(docker), image);
    expect(source.kind).toBe('docker-save');
    expect(await readLayers(source, diffIds)).toEqual(expect.arrayContaining(diffIds.map((d) => [d, d])));
    expect(await readLayers(source, [diffIds[0]!])).toEqual([[diffIds[0], diffIds[0]]]);
    expect(docker.calls.filter((c) => c.argv[0] === 'save')).toHaveLength(2);
  });

  it('ends docker save when the visit fails, and passes the failure through', async () => {
    const { docker, image, diffIds } = await fixtureImage();
    const failed = new Error('registry said no');
    await expect(
      createDockerSaveSource(cliImageExporter(docker), image).forEachLayer(diffIds, async () => {
        throw failed;
      }),
    ).rejects.toBe(failed);
    expect(docker.killed).toEqual([`save ${image.id}`]);
  });

  it('ends docker save when the signal aborts', async () => {
    const { docker, image, diffIds } = await fixtureImage();
    const controller = new AbortController();
    const visit = async (_diffId: string, stream: Readable) => {
      controller.abort(new Error('Ctrl-C'));
      await readAll(stream);
    };
    await expect(createDockerSaveSource(cliImageExporter(docker), image).forEachLayer(diffIds, visit, { signal: controller.signal })).rejects.toThrow('Ctrl-C');
    expect(docker.killed).toHaveLength(1);
  });

  it('reports what docker save said when it fails', async () => {
    const { image, diffIds } = await fixtureImage();
    const docker = fakeDocker({ [`save ${image.id}`]: { exitCode: 1, stderr: ['Error response from daemon: reference does not exist'], stdoutStream: () => Readable.from([]) } });
    const failure = await readLayers(createDockerSaveSource(cliImageExporter(docker), image), diffIds).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(LayerSourceError);
    expect((failure as Error).message).toContain('reference does not exist');
  });
});

describe('a user who cannot read the engine\'s storage (the docker group)', () => {
  const unreadable = (root: string): EngineStoreProbe => ({ available: false, reason: `the engine's data root ${root} is not readable here`, helperRoot: root });

  it('reads it through a helper container, which the source closes', async () => {
    const { docker, image, root, diffIds, config } = await fixtureImage();
    const started: string[] = [];
    let closed = 0;
    const startHelper: typeof startStoreHelper = async (_docker, options) => {
      started.push(`${options.root} ${options.image} ${options.probeFile}`);
      return { ...directStoreFiles(options.root), describe: 'a helper container', close: async () => void closed++ };
    };
    const log: string[] = [];
    const source = await openLayerSource(docker, image, { engineStore: unreadable(root), startHelper, exporter: cliImageExporter(docker), log: (m) => log.push(m) });
    expect(source.kind).toBe('engine-store');
    expect(started).toEqual([`${root} ${image.id} image/overlay2/imagedb/content/sha256/${image.id.slice(7)}`]);
    expect(log).toEqual(['reading layers from a helper container']);
    expect(await readLayers(source, diffIds)).toEqual(expect.arrayContaining(diffIds.map((d) => [d, d])));
    expect((await source.readConfig()).equals(config)).toBe(true);
    expect(docker.calls.some((c) => c.argv[0] === 'save')).toBe(false);
    await source.close();
    expect(closed).toBe(1);
  });

  it('falls back to the export when the helper cannot start, and says why', async () => {
    const { docker, image, root } = await fixtureImage();
    const startHelper: typeof startStoreHelper = async () => {
      throw new Error('the helper container did not start: exec: "sh": executable file not found');
    };
    const log: string[] = [];
    const source = await openLayerSource(docker, image, { engineStore: unreadable(root), startHelper, exporter: cliImageExporter(docker), log: (m) => log.push(m) });
    expect(source.kind).toBe('docker-save');
    expect(log.join('\n')).toMatch(/not readable here, and a helper container could not read it either \(the helper container did not start: exec: "sh"/);
  });

  it('does not try a helper for an engine that is not local', async () => {
    const { docker, image } = await fixtureImage();
    let tried = false;
    const startHelper: typeof startStoreHelper = async () => {
      tried = true;
      throw new Error('unreachable');
    };
    const source = await openLayerSource(docker, image, { engineStore: { available: false, reason: 'the engine is not local (tcp://10.0.0.2:2375)' }, startHelper, exporter: cliImageExporter(docker) });
    expect(source.kind).toBe('docker-save');
    expect(tried).toBe(false);
  });
});

describe('opening the best source', () => {
  it('takes the engine store when it holds the image, docker save otherwise', async () => {
    const { docker, image, root } = await fixtureImage();
    expect((await openLayerSource(docker, image, { exporter: cliImageExporter(docker) })).kind).toBe('engine-store');
    expect((await openLayerSource(docker, image, { prefer: 'docker-save', exporter: cliImageExporter(docker) })).kind).toBe('docker-save');
    const log: string[] = [];
    rmSync(path.join(root, 'image', 'overlay2', 'imagedb'), { recursive: true });
    expect((await openLayerSource(docker, image, { log: (m) => log.push(m), exporter: cliImageExporter(docker) })).kind).toBe('docker-save');
    expect(log.join('\n')).toContain('is not in the image store');
    await expect(openLayerSource(docker, image, { prefer: 'engine-store', exporter: cliImageExporter(docker) })).rejects.toBeInstanceOf(LayerSourceError);
  });

  it('reads a layer that fails in the engine store again from docker save, and only that one', async () => {
    const { docker, image, diffIds, store } = await fixtureImage();
    writeFileSync(path.join(store.diffDirs[2]!, 'src', 'predict.py'), 'class Predictor: !!!\n');
    const log: string[] = [];
    const source = await openLayerSource(docker, image, { log: (m) => log.push(m), exporter: cliImageExporter(docker) });
    const attempts: string[] = [];
    const delivered = new Map<string, string>();
    await source.forEachLayer(diffIds, async (diffId, stream) => {
      attempts.push(diffId);
      delivered.set(diffId, sha256(await readAll(stream)));
    }, { concurrency: 1 });
    expect([...delivered.entries()].sort()).toEqual(diffIds.map((d) => [d, d]).sort());
    // Each layer once (largest first), then the failed one again, from docker save.
    expect(attempts.slice(0, 3).sort()).toEqual([...diffIds].sort());
    expect(attempts.slice(3)).toEqual([diffIds[2]]);
    expect(log.join('\n')).toMatch(/hashes to .*; reading the remaining layers with docker save/);
    expect(docker.calls.filter((c) => c.argv[0] === 'save')).toHaveLength(1);
  });
});
