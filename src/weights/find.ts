import * as dockerignoreModule from '@balena/dockerignore';
import type { Ignore } from '@balena/dockerignore';
import { lstatSync, readdirSync } from 'node:fs';
import path from 'node:path';

// A CommonJS module whose typings claim an ES default export: take whichever shape Node hands over.
export const createIgnore = ((dockerignoreModule as unknown as { default?: unknown }).default ?? dockerignoreModule) as () => Ignore;

/** Files at least this big get their own layers unless told otherwise (`--weights-threshold`). */
export const defaultWeightsThresholdBytes = 10 * 1024 * 1024;

/** Never weights: version control, cogpack's own state, Python caches. */
const skippedDirectories = new Set(['.git', '.cog', '__pycache__', '.hg', '.svn']);
/** Code is code whatever its size: it belongs with the code layer. */
const codeSuffixes = ['.py', '.pyi', '.ipynb', '.sh', '.yaml', '.yml', '.toml', '.txt', '.cfg', '.json'];

export interface WeightFile {
  /** Path relative to the project, `/`-separated. */
  path: string;
  size: number;
}

export interface FindWeightsOptions {
  thresholdBytes?: number;
  /** The project's .dockerignore text: files it excludes are not in the image at all. */
  dockerignoreText?: string | undefined;
}

/**
 * The project's large files: what users mean by weights. They go into layers of their own, before
 * the code, so editing predict.py never re-uploads gigabytes. Sorted by path, so the Dockerfile
 * (and with it the build cache) is the same from one build to the next.
 */
export function findWeightFiles(projectDir: string, options: FindWeightsOptions = {}): WeightFile[] {
  const threshold = options.thresholdBytes ?? defaultWeightsThresholdBytes;
  const ignore = createIgnore().add((options.dockerignoreText ?? '').split(/\r?\n/));
  const found: WeightFile[] = [];
  const walk = (relativeDir: string) => {
    for (const entry of readdirSync(path.join(projectDir, relativeDir), { withFileTypes: true })) {
      const relative = relativeDir ? `${relativeDir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!skippedDirectories.has(entry.name)) walk(relative);
        continue;
      }
      if (!entry.isFile() || codeSuffixes.some((suffix) => entry.name.endsWith(suffix))) continue;
      const size = lstatSync(path.join(projectDir, relative)).size;
      if (size >= threshold && !ignore.ignores(relative)) found.push({ path: relative, size });
    }
  };
  walk('');
  return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * One layer of weights: one COPY into the weights image, then one COPY of what landed into the
 * model image. Large files land at their own path under /src; a declared weight's directory lands
 * at its `target`.
 */
export interface WeightLayer {
  /** What the weights image copies from the project: files, or a directory ending in `/`. */
  sources: string[];
  /** Where they land (in the weights image, then in the model image): a path, or a directory ending in `/`. */
  destination: string;
  /** What the model image copies from the weights image. */
  landed: string[];
  /** Every project file the layer holds: admitted into the weights build, kept out of the code copy. */
  files: string[];
}

/** Per-file layers up to this many files; past it, one layer per directory (Docker caps layers near 127). */
const maxPerFileLayers = 16;

/**
 * Groups large files into layers: one file per layer (the finest re-upload unit) while there are
 * few, else one layer per directory (a checkpoint split into hundreds of shards stays one layer).
 */
export function weightLayers(files: WeightFile[]): WeightLayer[] {
  const directoryOf = (file: string) => (file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '');
  if (files.length <= maxPerFileLayers) {
    return files.map((f) => ({ sources: [f.path], destination: `/src/${f.path}`, landed: [`/src/${f.path}`], files: [f.path] }));
  }
  const byDirectory = new Map<string, string[]>();
  for (const file of files) {
    const directory = directoryOf(file.path);
    byDirectory.set(directory, [...(byDirectory.get(directory) ?? []), file.path]);
  }
  return [...byDirectory].map(([directory, grouped]) => ({
    sources: grouped,
    destination: `/src/${directory ? `${directory}/` : ''}`,
    landed: grouped.map((file) => `/src/${file}`),
    files: grouped,
  }));
}
