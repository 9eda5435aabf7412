import path from 'node:path';

/**
 * The image name used when neither `-t` nor cog.yaml's `image` gives one (spec cog-yaml.md §2.1):
 * the project folder's name, lower-cased, spaces to dashes, other characters dropped, cut to 26
 * characters, prefixed with `cog-` unless it already is.
 *
 * Unlike upstream, the name never ends with a dash: a reference path component may not end with
 * a separator, and upstream's cut (`19-replicate-cog-examples-hello-concurrency` →
 * `cog-19-replicate-cog-examples-`) made `docker build` fail with "invalid reference format". A
 * folder name with nothing usable left (`模型`, `...`) gives `cog`.
 */
export function defaultImageName(projectDir: string): string {
  const base = path
    .basename(path.resolve(projectDir))
    .toLowerCase()
    .replace(/ /g, '-')
    .replace(/[^a-z0-9-]/g, '')
    .slice(0, 26);
  const name = base.startsWith('cog-') ? base : `cog-${base}`;
  return name.replace(/-+$/, '');
}
