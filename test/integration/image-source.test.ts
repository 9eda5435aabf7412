import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLayerEncoder } from '../../src/image/compress.js';
import { apiImageExporter, cliImageExporter } from '../../src/docker/image-export.js';
import { engineEndpoint } from '../../src/docker/endpoint.js';
import { createDockerSaveSource } from '../../src/image/docker-save.js';
import { probeEngineStore } from '../../src/image/engine-store.js';
import { inspectLocalImage } from '../../src/image/inspect.js';
import { openLayerSource } from '../../src/image/open-source.js';
import type { LayerSource, LocalImage } from '../../src/image/types.js';
import { runCog } from '../support/cli-process.js';
import { copyFixture } from '../support/project-copy.js';
import { requireTestbed, runId, type Testbed } from '../support/testbed.js';

const weightsBytes = 64 * 1024 * 1024;

async function digestOf(stream: AsyncIterable<Buffer>): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { digest: `sha256:${hash.digest('hex')}`, size };
}

/** Every wanted layer's digest and size as the visitor saw them. */
async function readLayers(source: LayerSource, wanted: string[], concurrency = 2) {
  const seen = new Map<string, { digest: string; size: number }>();
  await source.forEachLayer(wanted, async (diffId, stream) => void seen.set(diffId, await digestOf(stream)), { concurrency });
  return seen;
}

/** Command lines of this process's children that mention `word`. */
function childProcessesRunning(word: string): string[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
        return parent === process.pid && command.includes(word) ? [command] : [];
      } catch {
        return []; // gone meanwhile
      }
    });
}

/** Bytes this process has read through system calls so far (page cache hits included). */
function bytesReadByThisProcess(): number {
  return Number(/^rchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))![1]);
}

// A model-like image built by cogpack (OS base, packages, a weights layer of random bytes, a small
// code layer), and the test bed's stand-in base image.
describe('reading image layers from the engine [engine]', () => {
  let testbed: Testbed;
  let project: string;
  const model = `cogpack-it-image-source:${runId}`;
  const images: Record<string, LocalImage> = {};

  beforeAll(async () => {
    testbed = await requireTestbed();
    project = copyFixture('weights-layers');
    mkdirSync(path.join(project, 'weights'));
    writeFileSync(path.join(project, 'weights', 'model.bin'), randomBytes(weightsBytes));
    const built = await runCog(['build', '-t', model, '--progress', 'quiet'], { cwd: project });
    expect(built.stderr).toContain('in layers of their own');
    expect(built.exitCode).toBe(0);
    images.model = await inspectLocalImage(testbed.docker, model);
    images.base = await inspectLocalImage(testbed.docker, 'python:3.11-slim');
  });

  afterAll(async () => {
    await testbed?.docker.run(['image', 'rm', '--force', model, model.replace(':', '-weights:')]);
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it('gets the config exactly as the engine stores it, from its store and from its export (API and CLI) alike', async () => {
    const endpoint = engineEndpoint();
    if (endpoint.kind === 'unsupported') throw new Error(`the test bed's engine should be reachable by its API: ${endpoint.reason}`);
    for (const image of Object.values(images)) {
      const inspected = await testbed.docker.run(['image', 'inspect', '--format', '{{json .RootFS.Layers}}', image.id]);
      expect(image.diffIds).toEqual(JSON.parse(inspected.stdout));
      const stored = await (await openLayerSource(testbed.docker, image, { prefer: 'engine-store' })).readConfig();
      expect(`sha256:${createHash('sha256').update(stored).digest('hex')}`).toBe(image.id);
      for (const exporter of [apiImageExporter(endpoint), cliImageExporter(testbed.docker)]) {
        expect((await createDockerSaveSource(exporter, image).readConfig()).equals(stored), exporter.describe).toBe(true);
      }
    }
    expect(images.model!.diffIds.length).toBeGreaterThan(images.base!.diffIds.length);
  });

  it('reads the export over the engine\'s TCP socket too (a remote DOCKER_HOST), the same layers as over the unix socket', async () => {
    const tcp = process.env.COGPACK_TEST_DOCKER_TCP;
    if (!tcp) throw new Error('COGPACK_TEST_DOCKER_TCP is not set: the test bed starts the engine on a loopback TCP port too');
    const endpoint = engineEndpoint({ DOCKER_HOST: tcp });
    expect(endpoint).toMatchObject({ kind: 'tcp', origin: tcp.replace('tcp:', 'http:') });
    const source = createDockerSaveSource(apiImageExporter(endpoint as Exclude<typeof endpoint, { kind: 'unsupported' }>), images.model!);
    const seen = await readLayers(source, images.model!.diffIds);
    for (const [diffId, { digest }] of seen) expect(digest).toBe(diffId);
    expect(seen.size).toBe(new Set(images.model!.diffIds).size);
  });

  it('finds the engine store readable here (root, overlay2, local engine)', async () => {
    expect(await probeEngineStore(testbed.docker)).toMatchObject({ available: true, store: { driver: 'overlay2' } });
  });

  for (const kind of ['engine-store', 'docker-save'] as const) {
    it(`${kind}: every layer of both images is a stream whose sha256 is its diff ID`, async () => {
      for (const image of Object.values(images)) {
        const source = await openLayerSource(testbed.docker, image, { prefer: kind });
        expect(source.kind).toBe(kind);
        const seen = await readLayers(source, image.diffIds);
        expect([...seen.keys()].sort()).toEqual([...new Set(image.diffIds)].sort());
        for (const [diffId, { digest }] of seen) expect(digest).toBe(diffId);
      }
    });
  }

  it('docker-save: a subset re-runs docker save and yields only the wanted layers', async () => {
    const image = images.model!;
    const source = await openLayerSource(testbed.docker, image, { prefer: 'docker-save' });
    const wanted = [image.diffIds.at(-1)!, image.diffIds[0]!];
    const seen = await readLayers(source, wanted);
    expect([...seen.keys()].sort()).toEqual([...wanted].sort());
    for (const [diffId, { digest }] of seen) expect(digest).toBe(diffId);
    expect(childProcessesRunning('save')).toEqual([]); // docker save was ended, not left behind
  });

  it('engine-store: reads the small code layer of the model without reading the weights', async () => {
    const image = images.model!;
    const source = await openLayerSource(testbed.docker, image, { prefer: 'engine-store' });
    const all = await readLayers(source, image.diffIds);
    const code = image.diffIds.at(-1)!;
    const weights = [...all.entries()].sort((a, b) => b[1].size - a[1].size)[0]!;
    expect(weights[1].size).toBeGreaterThan(weightsBytes);
    const before = bytesReadByThisProcess();
    const seen = await readLayers(source, [code]);
    const read = bytesReadByThisProcess() - before;
    expect(seen.get(code)?.digest).toBe(code);
    expect(read).toBeLessThan(4 * 1024 * 1024); // the code layer is a few kB; the weights 64 MiB
  });

  it('the gzip encoder\'s output of real layers gunzips back to the layer', async () => {
    const image = images.model!;
    const source = await openLayerSource(testbed.docker, image, { prefer: 'engine-store' });
    const checked: string[] = [];
    await source.forEachLayer(image.diffIds, async (diffId, stream: Readable) => {
      let gunzipped: { digest: string; size: number } | undefined;
      await pipeline(stream, createLayerEncoder('gzip', { workers: 2 }), createGunzip(), async (out: AsyncIterable<Buffer>) => {
        gunzipped = await digestOf(out);
      });
      expect(gunzipped?.digest).toBe(diffId);
      checked.push(diffId);
    }, { concurrency: 1 });
    expect(checked).toHaveLength(new Set(image.diffIds).size);
  });
});
