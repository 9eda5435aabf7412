import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { declaredWeightLayers, localSourceDir } from '../../../src/weights/declared.js';

describe('declared weights', () => {
  const project = mkdtempSync(path.join(tmpdir(), 'cogpack-declared-'));
  mkdirSync(path.join(project, 'models', 'llm', 'sub'), { recursive: true });
  for (const file of ['models/llm/a.safetensors', 'models/llm/sub/b.safetensors', 'models/llm/README.md']) writeFileSync(path.join(project, file), 'x');

  it.each([
    ['./models/llm', path.join('models', 'llm')],
    ['file://models/llm', path.join('models', 'llm')],
    ['hf://org/model', undefined],
    ['https://example.com/w.tar', undefined],
  ])('%s', (uri, relative) => {
    const dir = localSourceDir(uri, project);
    expect(dir === undefined ? undefined : path.relative(project, dir)).toBe(relative);
  });

  it('one layer per local source, its selected files landing at the target; remote sources warned about', () => {
    const { layers, warnings } = declaredWeightLayers(
      [
        { name: 'llm', target: '/weights/llm', sources: [{ uri: './models/llm', include: [], exclude: ['*.md'] }] },
        { name: 'remote', target: '/weights/remote', sources: [{ uri: 'hf://org/model', include: [], exclude: [] }] },
      ],
      project,
    );
    expect(layers).toEqual([
      { sources: ['models/llm/'], destination: '/weights/llm/', landed: ['/weights/llm/'], files: ['models/llm/a.safetensors', 'models/llm/sub/b.safetensors'] },
    ]);
    expect(warnings).toEqual(['weights "remote": hf://org/model is not a directory inside the project, so it is not built into the image']);
  });

  it('include patterns are an allowlist', () => {
    const { layers } = declaredWeightLayers([{ name: 'llm', target: '/w', sources: [{ uri: 'models/llm', include: ['**/b.*'], exclude: [] }] }], project);
    expect(layers[0]?.files).toEqual(['models/llm/sub/b.safetensors']);
  });
});
