import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project template `cog init` writes (shipped in the package's `templates/`). */
export const defaultTemplateDir = fileURLToPath(new URL('../../templates/base/', import.meta.url));

export interface InitOptions {
  /** Where to create the project. */
  cwd: string;
  templateDir?: string;
}

export interface InitResult {
  /** Files written, relative to cwd. */
  written: string[];
  /** Files that already existed and were left alone. */
  skipped: string[];
}

/**
 * `cog init`: writes the template into the current directory. It never overwrites: an existing
 * file is skipped and reported, as upstream does.
 */
export function initProject(options: InitOptions): InitResult {
  const templateDir = options.templateDir ?? defaultTemplateDir;
  const result: InitResult = { written: [], skipped: [] };
  for (const relative of templateFiles(templateDir)) {
    const target = path.join(options.cwd, relative);
    if (existsSync(target)) {
      result.skipped.push(relative);
      continue;
    }
    mkdirSync(path.dirname(target), { recursive: true });
    // 'wx' fails rather than overwrite a file that appeared meanwhile.
    writeFileSync(target, readFileSync(path.join(templateDir, relative)), { flag: 'wx' });
    result.written.push(relative);
  }
  return result;
}

function templateFiles(dir: string, prefix = ''): string[] {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const relative = prefix ? path.join(prefix, entry.name) : entry.name;
      return entry.isDirectory() ? templateFiles(dir, relative) : [relative];
    });
}
