import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Weight } from '../config/types.js';
import { createIgnore, type WeightLayer } from './find.js';

/** The project-local directory a weight source names, or undefined for remote sources (hf://, https://). */
export function localSourceDir(uri: string, projectDir: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri) && !uri.startsWith('file://')) return undefined;
  const local = uri.startsWith('file://') ? decodeURIComponent(uri.slice('file://'.length)) : uri;
  return path.resolve(projectDir, local);
}

export interface DeclaredWeights {
  layers: WeightLayer[];
  warnings: string[];
}

/**
 * cog.yaml's `weights:` entries whose sources are directories of the project: one layer per
 * source, holding the files its include/exclude patterns select, landing at the entry's `target`.
 * Remote sources are left to the runtime (a warning says so): cog build does not download them.
 */
export function declaredWeightLayers(weights: Weight[], projectDir: string): DeclaredWeights {
  const layers: WeightLayer[] = [];
  const warnings: string[] = [];
  for (const weight of weights) {
    for (const source of weight.sources) {
      const dir = localSourceDir(source.uri, projectDir);
      const relative = dir && path.relative(projectDir, dir).split(path.sep).join('/');
      if (!dir || !relative || relative.startsWith('..') || !existsSync(dir) || !statSync(dir).isDirectory()) {
        warnings.push(`weights "${weight.name}": ${source.uri} is not a directory inside the project, so it is not built into the image`);
        continue;
      }
      const files = selectedFiles(dir, source.include, source.exclude).map((file) => `${relative}/${file}`);
      if (files.length === 0) continue;
      const destination = `${weight.target}/`;
      layers.push({ sources: [`${relative}/`], destination, landed: [destination], files });
    }
  }
  return { layers, warnings };
}

/** Files under `dir` (relative, `/`-separated) that the include patterns admit (all when none) and the exclude patterns do not. */
function selectedFiles(dir: string, include: string[], exclude: string[]): string[] {
  const included = createIgnore().add(include);
  const excluded = createIgnore().add(exclude);
  const found: string[] = [];
  const walk = (relativeDir: string) => {
    for (const entry of readdirSync(path.join(dir, relativeDir), { withFileTypes: true })) {
      const relative = relativeDir ? `${relativeDir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(relative);
      else if (entry.isFile() && (include.length === 0 || included.ignores(relative)) && !excluded.ignores(relative)) found.push(relative);
    }
  };
  walk('');
  return found.sort();
}
