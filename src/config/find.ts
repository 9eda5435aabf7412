import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';

/** Upstream walks at most this many parents looking for cog.yaml. */
const maxParents = 100;

export interface FoundConfig {
  /** Absolute path of the config file. */
  file: string;
  /** The project directory: the folder holding the config file. */
  projectDir: string;
}

/**
 * Finds the config file named `fileName` in `cwd` or the nearest parent that has it, as upstream
 * does. An absolute or explicitly relative path (`-f ./x/cog.yaml`) is taken as given.
 */
export function findConfigFile(cwd: string, fileName = 'cog.yaml'): FoundConfig {
  if (path.isAbsolute(fileName) || fileName.includes(path.sep)) {
    const file = path.resolve(cwd, fileName);
    if (!isFile(file)) {
      throw new UserError(`${fileName} not found`, { hint: 'check the path given to -f/--file' });
    }
    return { file, projectDir: path.dirname(file) };
  }
  let dir = path.resolve(cwd);
  for (let i = 0; i <= maxParents; i++) {
    const file = path.join(dir, fileName);
    if (isFile(file)) return { file, projectDir: dir };
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new UserError(`${fileName} not found in ${path.resolve(cwd)} (or in any parent directories)`, {
    hint: 'run cog from your model\'s directory, or create a project with `cog init`',
  });
}

function isFile(file: string): boolean {
  return existsSync(file) && statSync(file).isFile();
}
