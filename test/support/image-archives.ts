import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';

/** Generated layers, archives and engine stores for the image/ unit tests (small, real formats). */

export interface LayerFile {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link';
  content?: Buffer;
  linkname?: string;
}

export function sha256(bytes: Buffer | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** A layer tar as an engine would store it (tar-stream's writer: ustar, PAX for long names). */
export async function makeLayerTar(files: LayerFile[]): Promise<Buffer> {
  const pack = tar.pack();
  const collected = collect(pack as unknown as AsyncIterable<Buffer>);
  for (const file of files) {
    const type = file.type ?? 'file';
    const header = { name: file.name, type, mode: type === 'directory' ? 0o755 : 0o644, mtime: new Date(0), linkname: file.linkname };
    await new Promise<void>((resolve, reject) => {
      const done = (error?: Error | null) => (error ? reject(error) : resolve());
      if (type === 'file') pack.entry(header, file.content ?? Buffer.alloc(0), done);
      else pack.entry(header, done);
    });
  }
  pack.finalize();
  return collected;
}

async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Chain IDs as Docker computes them. */
export function chainIdsOf(diffIds: string[]): string[] {
  const chains: string[] = [];
  diffIds.forEach((d, i) => chains.push(i === 0 ? d : sha256(`${chains[i - 1]} ${d}`)));
  return chains;
}

/**
 * Splits a layer tar the way tar-split does: raw headers and padding as segments, file contents
 * written under `diffDir`. Returns the gzipped JSON lines.
 */
export function disassembleTar(layerTar: Buffer, diffDir: string): Buffer {
  const lines: string[] = [];
  let position = 0;
  const segment = (bytes: Buffer) => bytes.length > 0 && lines.push(JSON.stringify({ type: 2, payload: bytes.toString('base64'), position: position++ }));
  let at = 0;
  let headerStart = 0;
  let paxPath: string | undefined;
  mkdirSync(diffDir, { recursive: true });
  while (at + 512 <= layerTar.length) {
    const block = layerTar.subarray(at, at + 512);
    if (block.every((b) => b === 0)) break;
    const size = parseInt(block.subarray(124, 136).toString('latin1').replace(/\0.*$/s, '').trim() || '0', 8);
    const type = String.fromCharCode(block[156]!);
    const dataEnd = at + 512 + size;
    const padded = at + 512 + Math.ceil(size / 512) * 512;
    if (type === 'x') {
      const pax = layerTar.subarray(at + 512, dataEnd).toString('utf8');
      paxPath = /\d+ path=([^\n]*)\n/.exec(pax)?.[1];
      at = padded;
      continue;
    }
    const prefix = block.subarray(345, 500).toString('utf8').replace(/\0.*$/s, '');
    const short = block.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    const name = paxPath ?? (prefix ? `${prefix}/${short}` : short);
    paxPath = undefined;
    segment(layerTar.subarray(headerStart, at + 512));
    const isRegular = type === '0' || type === '\0';
    lines.push(JSON.stringify({ type: 1, name, size: isRegular ? size : 0, payload: null, position: position++ }));
    if (type === '5') mkdirSync(path.join(diffDir, name), { recursive: true });
    if (isRegular) {
      mkdirSync(path.dirname(path.join(diffDir, name)), { recursive: true });
      writeFileSync(path.join(diffDir, name), layerTar.subarray(at + 512, dataEnd));
      segment(layerTar.subarray(dataEnd, padded));
    }
    at = padded;
    headerStart = at;
  }
  segment(layerTar.subarray(headerStart));
  return gzipSync(`${lines.join('\n')}\n`);
}

/**
 * An engine data root holding an image the way Docker 20.10 with overlay2 lays it out:
 * `image/overlay2/imagedb/content/sha256/<id>` and, per layer, `image/overlay2/layerdb/sha256/
 * <chainID>/{cache-id,tar-split.json.gz}` + `overlay2/<cache-id>/diff/`.
 */
export function writeEngineStore(root: string, layers: Buffer[], config: Buffer): { diffIds: string[]; chainIds: string[]; diffDirs: string[] } {
  const diffIds = layers.map((layer) => sha256(layer));
  const chainIds = chainIdsOf(diffIds);
  const content = path.join(root, 'image', 'overlay2', 'imagedb', 'content', 'sha256');
  mkdirSync(content, { recursive: true });
  writeFileSync(path.join(content, sha256(config).slice(7)), config);
  const diffDirs: string[] = [];
  layers.forEach((layer, i) => {
    const layerDir = path.join(root, 'image', 'overlay2', 'layerdb', 'sha256', chainIds[i]!.slice(7));
    mkdirSync(layerDir, { recursive: true });
    const cacheId = `cache${i}x${chainIds[i]!.slice(7, 15)}`;
    writeFileSync(path.join(layerDir, 'cache-id'), cacheId);
    const diffDir = path.join(root, 'overlay2', cacheId, 'diff');
    writeFileSync(path.join(layerDir, 'tar-split.json.gz'), disassembleTar(layer, diffDir));
    diffDirs.push(diffDir);
  });
  return { diffIds, chainIds, diffDirs };
}

/** An image config naming the layers. */
export function makeConfig(diffIds: string[]): Buffer {
  return Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['python'] }, rootfs: { type: 'layers', diff_ids: diffIds } }));
}

/** Go's encoding of a map: keys sorted, values as given (raw JSON). */
function goMap(members: Record<string, string>): string {
  return `{${Object.keys(members).sort().map((k) => `${JSON.stringify(k)}:${members[k]}`).join(',')}}`;
}

/**
 * The archive of `docker save` by Docker before 25: lexical order (as Docker tars its temp
 * directory), v1 IDs as moby's CreateID makes them, manifest.json after the layers.
 */
export async function makeLegacySaveArchive(layers: Buffer[], config: Buffer): Promise<Buffer> {
  const diffIds = layers.map((layer) => sha256(layer));
  const chainIds = chainIdsOf(diffIds);
  const entries = new Map<string, Buffer>();
  const zeroConfig = '{"Hostname":"","Cmd":null,"Image":"","Labels":null}';
  let parent = '';
  const v1Ids: string[] = [];
  layers.forEach((layer, i) => {
    const top = i === layers.length - 1;
    const fields: Record<string, string> = top
      ? { created: '"2026-01-01T00:00:00Z"', container_config: zeroConfig, config: '{"Cmd":["python"]}', architecture: '"amd64"', os: '"linux"' }
      : { created: '"1970-01-01T00:00:00Z"', container_config: zeroConfig };
    const hashed: Record<string, string> = { ...fields, layer_id: JSON.stringify(chainIds[i]) };
    if (parent) hashed.parent = JSON.stringify(`sha256:${parent}`);
    const v1Id = sha256(goMap(hashed)).slice(7);
    const written = [`"id":"${v1Id}"`, ...(parent ? [`"parent":"${parent}"`] : []), ...Object.entries({ ...fields, os: '"linux"' }).map(([k, v]) => `"${k}":${v}`)];
    entries.set(`${v1Id}/VERSION`, Buffer.from('1.0'));
    entries.set(`${v1Id}/json`, Buffer.from(`{${written.join(',')}}`));
    entries.set(`${v1Id}/layer.tar`, layer);
    v1Ids.push(v1Id);
    parent = v1Id;
  });
  const configName = `${sha256(config).slice(7)}.json`;
  entries.set(configName, config);
  entries.set('manifest.json', Buffer.from(JSON.stringify([{ Config: configName, RepoTags: ['x:latest'], Layers: v1Ids.map((v) => `${v}/layer.tar`) }])));
  entries.set('repositories', Buffer.from('{}'));
  const dirs = new Set(v1Ids);
  const names = [...entries.keys(), ...[...dirs].map((d) => `${d}/`)].sort();
  return packArchive(names.map((name) => (name.endsWith('/') ? { name, type: 'directory' as const } : { name, content: entries.get(name)! })));
}

/** The archive of `docker save` by Docker 25 and later: an OCI layout with uncompressed layers. */
export async function makeOciSaveArchive(layers: Buffer[], config: Buffer): Promise<Buffer> {
  const blob = (bytes: Buffer) => ({ name: `blobs/sha256/${sha256(bytes).slice(7)}`, content: bytes });
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, config: { digest: sha256(config), size: config.length }, layers: layers.map((l) => ({ digest: sha256(l), size: l.length })) }));
  const files: LayerFile[] = [{ name: 'blobs/', type: 'directory' }, { name: 'blobs/sha256/', type: 'directory' }];
  const blobs = [...layers, config, manifest].map(blob).sort((a, b) => a.name.localeCompare(b.name));
  const uniqueBlobs = blobs.filter((b, i) => blobs.findIndex((o) => o.name === b.name) === i);
  files.push(...uniqueBlobs);
  files.push({ name: 'index.json', content: Buffer.from(JSON.stringify({ manifests: [{ digest: sha256(manifest) }] })) });
  files.push({ name: 'manifest.json', content: Buffer.from(JSON.stringify([{ Config: `blobs/sha256/${sha256(config).slice(7)}`, Layers: layers.map((l) => `blobs/sha256/${sha256(l).slice(7)}`) }])) });
  files.push({ name: 'oci-layout', content: Buffer.from('{"imageLayoutVersion":"1.0.0"}') });
  return packArchive(files);
}

function packArchive(files: LayerFile[]): Promise<Buffer> {
  return makeLayerTar(files);
}

/** A stream of `bytes` in chunks of `chunkSize` (the way a pipe delivers them). */
export function chunkedStream(bytes: Buffer, chunkSize = 64 * 1024): Readable {
  return Readable.from(
    (function* () {
      for (let at = 0; at < bytes.length; at += chunkSize) yield bytes.subarray(at, at + chunkSize);
    })(),
    { objectMode: false },
  );
}

/** Every byte of a stream. */
export function readAll(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  return collect(stream);
}
