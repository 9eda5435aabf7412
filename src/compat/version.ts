/**
 * The version primitives every compatibility decision rests on (spec cog-yaml.md §5.1).
 * They are deliberately not PEP 440: CUDA, cuDNN and the matrix's torch versions are `M[.m[.p]][+meta]`,
 * and upstream's answers depend on exactly these rules (a missing patch matches any patch, metadata is
 * ignored by `matches` but not by `equal`). PEP 440 specifiers live in pep440.ts.
 */

export interface Version {
  major: number;
  minor: number;
  /** Undefined when the text had no patch part: `2.3` matches both `2.3.0` and `2.3.1`. */
  patch: number | undefined;
  /** The text after the first `+` (`cu118`), or ''. */
  metadata: string;
}

const integerPart = /^\d+$/;

/** Parses `M[.m[.p]][+meta]`; anything else (`2.1.0rc1`, `2.1.0.post1`, `2.3.*`) is undefined. */
export function parseVersion(text: string): Version | undefined {
  const plus = text.indexOf('+');
  const numbers = plus === -1 ? text : text.slice(0, plus);
  const metadata = plus === -1 ? '' : text.slice(plus + 1);
  const parts = numbers.split('.');
  if (parts.length > 3 || !parts.every((part) => integerPart.test(part))) return undefined;
  const [major = '0', minor = '0', patch] = parts;
  return {
    major: Number(major),
    minor: Number(minor),
    patch: patch === undefined ? undefined : Number(patch),
    metadata,
  };
}

function patchOf(version: Version): number {
  return version.patch ?? 0;
}

/**
 * Same major and minor, and the same patch when both have one; metadata ignored.
 * Unparseable input never matches.
 */
export function matches(a: string, b: string): boolean {
  const x = parseVersion(a);
  const y = parseVersion(b);
  if (!x || !y) return false;
  if (x.major !== y.major || x.minor !== y.minor) return false;
  return x.patch === undefined || y.patch === undefined || x.patch === y.patch;
}

/** Ordering by major, minor, patch (a missing patch is 0); metadata ignored. Unparseable ⇒ false. */
export function greater(a: string, b: string): boolean {
  return compareVersions(a, b) > 0;
}

/**
 * Numeric three-way comparison (missing patch = 0, metadata ignored); unparseable versions sort
 * first, so a sort never throws on bad data.
 */
export function compareVersions(a: string, b: string): number {
  const x = parseVersion(a);
  const y = parseVersion(b);
  if (!x || !y) return (x ? 1 : 0) - (y ? 1 : 0);
  return x.major - y.major || x.minor - y.minor || patchOf(x) - patchOf(y);
}

/** Major, minor, patch and metadata all equal; plain string equality when either is unparseable. */
export function equal(a: string, b: string): boolean {
  const x = parseVersion(a);
  const y = parseVersion(b);
  if (!x || !y) return a === b;
  return x.major === y.major && x.minor === y.minor && patchOf(x) === patchOf(y) && x.metadata === y.metadata;
}

/**
 * `greater || equal`. Note `greaterOrEqual('1.13.1+cu117', '1.13.1')` is false (metadata differs);
 * callers that mean "at least this release" should compare `stripMetadata` of both.
 */
export function greaterOrEqual(a: string, b: string): boolean {
  return greater(a, b) || equal(a, b);
}

/** Same major and minor. */
export function equalMinor(a: string, b: string): boolean {
  const x = parseVersion(a);
  const y = parseVersion(b);
  return !!x && !!y && x.major === y.major && x.minor === y.minor;
}

/** `12.1.1` → `12.1`; unparseable text is returned unchanged. */
export function stripPatch(text: string): string {
  const version = parseVersion(text);
  return version ? `${version.major}.${version.minor}` : text;
}

/** `2.0.1+cu118` → `2.0.1`. */
export function stripMetadata(text: string): string {
  const plus = text.indexOf('+');
  return plus === -1 ? text : text.slice(0, plus);
}

/** The highest version of a list by `compareVersions` (the first one wins a tie), or undefined. */
export function highestVersion(versions: Iterable<string>): string | undefined {
  let best: string | undefined;
  for (const version of versions) {
    if (best === undefined || compareVersions(version, best) > 0) best = version;
  }
  return best;
}

/** A copy sorted ascending by `compareVersions` (stable for ties). */
export function sortVersions(versions: Iterable<string>): string[] {
  return [...versions].sort(compareVersions);
}
