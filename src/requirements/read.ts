import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/types.js';
import { UserError } from '../errors.js';
import { parseRequirementsText } from './parse.js';
import { dropManagedPackages, managedPackagesWarning } from './rewrite.js';

export { packageName } from './parse.js';

export interface Requirements {
  /** Requirement lines to install, in the user's order. */
  lines: string[];
  warnings: string[];
  /**
   * The directory relative paths in the lines are resolved against (local artifacts): the
   * requirements file's directory, or the project directory for inline python_packages.
   */
  directory: string;
}

/**
 * The requirement lines of a config: its requirements file (spec cog-yaml.md §4.1) or the deprecated
 * inline python_packages, without blank and comment lines, and without cog/coglet, which the build
 * installs itself (spec build.md §1.6).
 */
export function readRequirements(config: Config, readText = (file: string) => readFileSync(file, 'utf8')): Requirements {
  const file = config.build.pythonRequirements;
  const source = file
    ? parseRequirementsText(readFile(file, readText))
    : config.build.pythonPackages.map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
  const { lines, dropped } = dropManagedPackages(source);
  return {
    lines,
    warnings: dropped.length > 0 ? [managedPackagesWarning(dropped)] : [],
    directory: file ? path.dirname(file) : config.projectDir,
  };
}

function readFile(file: string, readText: (file: string) => string): string {
  try {
    return readText(file);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UserError(`failed to open python_requirements file: ${reason}`, { cause: error });
  }
}
