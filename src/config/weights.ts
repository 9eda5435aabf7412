import path from 'node:path';
import type { KeyPath } from './locate.js';
import type { Problem, Report } from './report.js';
import { valueAt, type Plain } from './yaml-tree.js';

/** A `weights:` entry after normalisation: one shape whether `source` was one mapping or a list. */
export interface Weight {
  name: string;
  /** Absolute, cleaned (`/src/weights/` → `/src/weights`). */
  target: string;
  sources: WeightSource[];
}

export interface WeightSource {
  /** `hf://…`, `file://…`, `https://…` or a local path, as written. */
  uri: string;
  include: string[];
  exclude: string[];
}

/** The rules of spec cog-yaml.md §3.5 that span entries or need more than the shape. */
export function checkWeights(tree: Plain, report: Report): void {
  const weights = valueAt(tree, ['weights']);
  if (!Array.isArray(weights) || weights.length === 0) return;
  checkModelIsSet(tree, report);

  const names = new Map<string, number>();
  const targets: Array<{ target: string; index: number }> = [];
  weights.forEach((_, index) => {
    const name = valueAt(tree, ['weights', index, 'name']);
    if (typeof name === 'string' && name !== '') {
      const first = names.get(name);
      if (first === undefined) names.set(name, index);
      else report.error(['weights', index, 'name'], `duplicate weight name ${JSON.stringify(name)}`, { hint: `weights[${first}] uses it too; names must be unique` });
    }
    for (const source of sourcesOf(tree, index)) checkPatterns(tree, source, report);
    const target = valueAt(tree, ['weights', index, 'target']);
    if (typeof target === 'string' && target !== '') checkTarget(target, index, targets, report);
  });
}

function checkModelIsSet(tree: Plain, report: Report): void {
  const model = valueAt(tree, ['model']);
  if (typeof model === 'string' && model !== '') return;
  const image = valueAt(tree, ['image']);
  if (typeof image === 'string' && image !== '') {
    // Upstream's sentences carry their own advice after the dash; kept whole.
    report.error(['image'], "weights require 'model', not 'image' — rename 'image' to 'model'", { atKey: true, upstream: { field: 'image' } });
  } else {
    report.error(['model'], "weights require 'model' in cog.yaml — rename 'image' to 'model'", {
      at: ['weights'],
      atKey: true,
      upstream: { field: 'model' },
      hint: 'add e.g. model: registry.example.com/acme/my-model',
    });
  }
}

/** Paths of the source mappings of one entry: `…source` for one, `…source[j]` for a list. */
function sourcesOf(tree: Plain, index: number): KeyPath[] {
  const source = valueAt(tree, ['weights', index, 'source']);
  if (Array.isArray(source)) return source.map((_, j) => ['weights', index, 'source', j]);
  return source && typeof source === 'object' ? [['weights', index, 'source']] : [];
}

function checkPatterns(tree: Plain, source: KeyPath, report: Report): void {
  for (const field of ['include', 'exclude'] as const) {
    const patterns = valueAt(tree, [...source, field]);
    if (!Array.isArray(patterns)) continue;
    patterns.forEach((pattern, k) => {
      if (typeof pattern !== 'string') return;
      const problem = patternProblem(pattern, field);
      if (problem) report.error([...source, field, k], problem.message, problem.hint ? { hint: problem.hint } : {});
    });
  }
}

function patternProblem(pattern: string, field: 'include' | 'exclude'): Problem | undefined {
  const trimmed = pattern.trim();
  if (trimmed === '') return { message: 'pattern must not be empty', hint: 'remove the entry' };
  if (trimmed.startsWith('!')) {
    const other = field === 'include' ? 'exclude' : 'include';
    return { message: 'negation patterns are not supported', hint: `list ${JSON.stringify(trimmed.slice(1))} under ${other} instead` };
  }
  if (pattern.includes('\\')) return { message: 'patterns must use forward slashes, not backslashes' };
  return undefined;
}

function checkTarget(target: string, index: number, seen: Array<{ target: string; index: number }>, report: Report): void {
  const at: KeyPath = ['weights', index, 'target'];
  if (!target.startsWith('/')) {
    report.error(at, 'target must be an absolute path, e.g. /src/weights');
    return;
  }
  const cleaned = cleanTarget(target);
  if (cleaned === '/') {
    report.error(at, 'target must not be the root directory', { hint: 'use a directory such as /src/weights' });
    return;
  }
  const same = seen.find((s) => s.target === cleaned);
  const overlapping = seen.find((s) => cleaned.startsWith(`${s.target}/`) || s.target.startsWith(`${cleaned}/`));
  if (same) {
    report.error(at, `duplicate weight target ${JSON.stringify(cleaned)}`, { hint: `weights[${same.index}] uses it too; targets must be unique` });
  } else if (overlapping) {
    report.error(at, `target overlaps with ${JSON.stringify(overlapping.target)}; weight targets must be disjoint`);
  }
  seen.push({ target: cleaned, index });
}

/** `/src//weights/./` → `/src/weights`, as Go's path.Clean does. */
export function cleanTarget(target: string): string {
  const cleaned = path.posix.normalize(target);
  return cleaned.length > 1 && cleaned.endsWith('/') ? cleaned.slice(0, -1) : cleaned;
}
