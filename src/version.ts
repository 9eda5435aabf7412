import { readFileSync } from 'node:fs';

/** cogpack's version, from package.json (read once, on demand). */
export function cogpackVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
