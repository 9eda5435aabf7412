/**
 * "Pinned" requirement lines (spec cog-yaml.md §4.2, upstream's SplitPinnedPythonRequirement): a
 * `name==version` token plus any `--find-links`/`-f`/`--extra-index-url` options on the same line.
 * Only pinned lines are rewritten for a build's CUDA; everything else passes through.
 *
 * Differences from upstream, all so a line is never misread: the name must start a
 * whitespace-separated token and may contain dots (upstream's unanchored match reads
 * `ruamel.yaml==0.18.6` as `yaml==0.18.6`); the version stops at `;` as well as whitespace (so
 * `pkg==1.0;marker` pins 1.0); and the space-separated `--find-links X` / `--extra-index-url X` forms
 * are recognised like the `=` forms.
 */

export interface PinnedRequirement {
  /** As written in the line (not normalised). */
  name: string;
  version: string;
  findLinks: string[];
  extraIndexUrls: string[];
  /** Where `version` sits in the line, so a rewrite changes only that text. */
  versionStart: number;
  versionEnd: number;
  /** Where `name==version` starts in the line. */
  nameStart: number;
  /** Where the find-links/index options sit in the line (each with its leading whitespace). */
  optionSpans: Array<[start: number, end: number]>;
}

// Each alternative is anchored at the start of a whitespace-separated token.
const pinnedTokens =
  /(^|\s)(?:([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)|--find-links(?:=|\s+)(\S+)|-f\s+(\S+)|--extra-index-url(?:=|\s+)(\S+))/g;

/** The pinned parts of a line, or undefined when it lacks a name or a version. */
export function splitPinnedRequirement(line: string): PinnedRequirement | undefined {
  let pin: { name: string; version: string; nameStart: number; versionStart: number } | undefined;
  const findLinks: string[] = [];
  const extraIndexUrls: string[] = [];
  const optionSpans: Array<[number, number]> = [];
  for (const match of line.matchAll(pinnedTokens)) {
    const [whole, lead = '', name, version, findLinksEq, findLinksShort, indexUrl] = match;
    const start = match.index + lead.length;
    if (name && version) {
      pin ??= { name, version, nameStart: start, versionStart: start + name.length + 2 };
      continue;
    }
    if (findLinksEq ?? findLinksShort) findLinks.push((findLinksEq ?? findLinksShort) as string);
    if (indexUrl) extraIndexUrls.push(indexUrl);
    optionSpans.push([match.index, match.index + whole.length]);
  }
  if (!pin) return undefined;
  return {
    name: pin.name,
    version: pin.version,
    findLinks,
    extraIndexUrls,
    nameStart: pin.nameStart,
    versionStart: pin.versionStart,
    versionEnd: pin.versionStart + pin.version.length,
    optionSpans,
  };
}

/**
 * The line of a pinned requirement with its find-links/index options taken out (they are hoisted
 * to the top of the file) and, optionally, a new version or a whole new `name==version`. Everything
 * else on the line (markers, hashes, other options) is kept verbatim.
 */
export function renderPinned(line: string, pinned: PinnedRequirement, edit: { version?: string; requirement?: string } = {}): string {
  const edits: Array<{ start: number; end: number; text: string }> = pinned.optionSpans.map(([start, end]) => ({ start, end, text: '' }));
  if (edit.requirement !== undefined) edits.push({ start: pinned.nameStart, end: pinned.versionEnd, text: edit.requirement });
  else if (edit.version !== undefined) edits.push({ start: pinned.versionStart, end: pinned.versionEnd, text: edit.version });
  let result = line;
  for (const { start, end, text } of edits.sort((a, b) => b.start - a.start)) {
    result = result.slice(0, start) + text + result.slice(end);
  }
  return result.trim();
}

/** `--find-links X` / `-f X` / `--extra-index-url X` alone on a line (either spelling). */
export function standaloneIndexOption(line: string): { findLinks?: string; extraIndexUrl?: string } | undefined {
  const match = /^(?:--find-links(?:=|\s+)|-f\s*)(\S+)$|^--extra-index-url(?:=|\s+)(\S+)$/.exec(line.trim());
  if (!match) return undefined;
  return match[1] ? { findLinks: match[1] } : { extraIndexUrl: match[2] as string };
}
