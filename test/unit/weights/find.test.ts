import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findWeightFiles, weightLayers } from '../../../src/weights/find.js';
import { weightCopySteps, weightIgnoreLines, weightsDockerfile, weightsImageName } from '../../../src/dockerfile/weights.js';

function project(files: Record<string, number>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'cogpack-weights-'));
  for (const [file, size] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), Buffer.alloc(size));
  }
  return root;
}

describe('findWeightFiles', () => {
  it('finds large files, sorted, and leaves code, small files and tool state alone', () => {
    const root = project({
      'predict.py': 100,
      'big.bin': 2000,
      'models/b.safetensors': 3000,
      'models/a.safetensors': 3000,
      'huge_generated.py': 5000,
      '.git/objects/pack.pack': 9000,
      '.cog/build/x': 9000,
      'small.bin': 10,
    });
    expect(findWeightFiles(root, { thresholdBytes: 1000 })).toEqual([
      { path: 'big.bin', size: 2000 },
      { path: 'models/a.safetensors', size: 3000 },
      { path: 'models/b.safetensors', size: 3000 },
    ]);
  });

  it('skips what .dockerignore keeps out of the image anyway', () => {
    const root = project({ 'big.bin': 2000, 'data/cache.bin': 2000 });
    expect(findWeightFiles(root, { thresholdBytes: 1000, dockerignoreText: 'data\n' }).map((f) => f.path)).toEqual(['big.bin']);
  });
});

describe('weightLayers', () => {
  it('one layer per file while there are few, each landing at its own path under /src', () => {
    expect(weightLayers([{ path: 'a.bin', size: 1 }, { path: 'm/b.bin', size: 1 }])).toEqual([
      { sources: ['a.bin'], destination: '/src/a.bin', landed: ['/src/a.bin'], files: ['a.bin'] },
      { sources: ['m/b.bin'], destination: '/src/m/b.bin', landed: ['/src/m/b.bin'], files: ['m/b.bin'] },
    ]);
  });

  it('one layer per directory for many shards', () => {
    const shards = Array.from({ length: 20 }, (_, i) => ({ path: `ckpt/shard-${String(i).padStart(2, '0')}.bin`, size: 1 }));
    const layers = weightLayers([{ path: 'top.bin', size: 1 }, ...shards]);
    expect(layers.map((l) => [l.destination, l.files.length])).toEqual([['/src/', 1], ['/src/ckpt/', 20]]);
  });
});

describe('weights Dockerfiles', () => {
  const layers = [
    { sources: ['model weights.bin'], destination: '/src/model weights.bin', landed: ['/src/model weights.bin'], files: ['model weights.bin'] },
    { sources: ['ckpt/a[1].bin', 'ckpt/b.bin'], destination: '/src/ckpt/', landed: ['/src/ckpt/a[1].bin', '/src/ckpt/b.bin'], files: ['ckpt/a[1].bin', 'ckpt/b.bin'] },
  ];

  it('the weights image lets only the weights into its context', () => {
    expect(weightsDockerfile(layers)).toEqual({
      dockerfile: 'FROM scratch\nCOPY ["model weights.bin","/src/model weights.bin"]\nCOPY ["ckpt/a[1].bin","ckpt/b.bin","/src/ckpt/"]\n',
      dockerignore: '*\n!/model weights.bin\n!/ckpt/a\\[1\\].bin\n!/ckpt/b.bin\n',
    });
  });

  it('the model copies each layer from the weights stage and hides the files from the code copy', () => {
    expect(weightCopySteps(layers)).toEqual([
      'COPY --from=weights ["/src/model weights.bin","/src/model weights.bin"]',
      'COPY --from=weights ["/src/ckpt/a[1].bin","/src/ckpt/b.bin","/src/ckpt/"]',
    ]);
    expect(weightIgnoreLines(layers)).toEqual(['/model weights.bin', '/ckpt/a\\[1\\].bin', '/ckpt/b.bin']);
  });

  it.each([
    ['cog-hello', 'cog-hello-weights'],
    ['r8.im/me/model:v2', 'r8.im/me/model-weights:v2'],
    ['127.0.0.1:5000/m', '127.0.0.1:5000/m-weights'],
  ])('%s → %s', (image, weights) => {
    expect(weightsImageName(image)).toBe(weights);
  });
});
