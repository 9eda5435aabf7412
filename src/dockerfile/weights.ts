import type { WeightLayer } from '../weights/find.js';

/**
 * The weights image: `FROM scratch` plus one COPY per weight layer (JSON form: paths with spaces survive), built from the project with an
 * ignore file that lets only the weights through. The model's Dockerfile then copies each layer
 * from it. Two builds because one context cannot both hold the weights (for their COPY) and hide
 * them (from `COPY . /src`): BuildKit's built-in frontend has no `COPY --exclude`.
 */
export function weightsDockerfile(layers: WeightLayer[]): { dockerfile: string; dockerignore: string } {
  const lines = ['FROM scratch', ...layers.map((layer) => `COPY ${JSON.stringify([...layer.sources, layer.destination])}`)];
  const allowed = layers.flatMap((layer) => layer.files).map((file) => `!${escapePattern(file)}`);
  return { dockerfile: `${lines.join('\n')}\n`, dockerignore: `*\n${allowed.join('\n')}\n` };
}

/** The model Dockerfile's COPY lines, from the stage named `weights`. */
export function weightCopySteps(layers: WeightLayer[]): string[] {
  return layers.map((layer) => `COPY --from=weights ${JSON.stringify([...layer.landed, layer.destination])}`);
}

/** Ignore-file lines that keep the weight files out of the code layer. */
export function weightIgnoreLines(layers: WeightLayer[]): string[] {
  return layers.flatMap((layer) => layer.files).map(escapePattern);
}

/** The weights image that goes with a model image: `name-weights[:tag]`, as upstream names it. */
export function weightsImageName(image: string): string {
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  return colon > slash ? `${image.slice(0, colon)}-weights${image.slice(colon)}` : `${image}-weights`;
}

/** Docker ignore patterns are globs: a literal path escapes its glob characters. */
function escapePattern(file: string): string {
  return `/${file.replace(/[\\*?[\]]/g, (c) => `\\${c}`)}`;
}
