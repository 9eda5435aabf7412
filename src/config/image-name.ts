import path from 'node:path';

/**
 * The image name used when neither `-t` nor cog.yaml's `image` gives one (spec cog-yaml.md §2.1):
 * the project folder's name, lower-cased, spaces to dashes, other characters dropped, cut to 26
 * characters, prefixed with `cog-` unless it already is.
 */
export function defaultImageName(projectDir: string): string {
  const base = path
    .basename(path.resolve(projectDir))
    .toLowerCase()
    .replace(/ /g, '-')
    .replace(/[^a-z0-9-]/g, '')
    .slice(0, 26);
  return base.startsWith('cog-') ? base : `cog-${base}`;
}
