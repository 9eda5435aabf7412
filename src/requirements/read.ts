import { readFileSync } from 'node:fs';
import type { Config } from '../config/types.js';

/** Python packages the generated Dockerfile installs itself; a user's pin of them is dropped. */
const managedPackages = new Set(['cog', 'coglet']);

export interface Requirements {
  /** Requirement lines to install, in the user's order. */
  lines: string[];
  warnings: string[];
}

/** PEP 503 name of a requirement line: extras dropped, runs of -_. folded, lower case. */
export function packageName(line: string): string | undefined {
  const match = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(line);
  if (!match?.[1] || line.trimStart().startsWith('-')) return undefined;
  return match[1].replace(/[-_.]+/g, '-').toLowerCase();
}

/**
 * The requirement lines of a config: its requirements file (or the deprecated inline
 * python_packages), without blank and comment lines, and without cog/coglet, which the build
 * installs itself (spec build.md §1.6).
 */
export function readRequirements(config: Config, readText = (file: string) => readFileSync(file, 'utf8')): Requirements {
  const source = config.build.pythonRequirements
    ? readText(config.build.pythonRequirements).split(/\r?\n/)
    : config.build.pythonPackages;
  const lines: string[] = [];
  const dropped: string[] = [];
  for (const raw of source) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const name = packageName(line);
    if (name && managedPackages.has(name)) dropped.push(line);
    else lines.push(line);
  }
  const warnings = dropped.length
    ? [`ignoring ${dropped.join(', ')} in your requirements: the build installs the Cog runtime itself (set build.sdk_version to pin it)`]
    : [];
  return { lines, warnings };
}
