/**
 * A small PEP 440 version and specifier evaluator: enough to answer "which matrix release does
 * `torch>=2.0,<2.5` mean?" (`==`, `!=`, `>=`, `<=`, `>`, `<`, `~=`, `===`, `==X.*`, `!=X.*`,
 * comma-joined). Not a resolver: pre-release opt-in rules are not modelled, because the matrix only
 * holds final releases.
 */

export interface Pep440Version {
  epoch: number;
  release: number[];
  /** `a`, `b` or `rc` with its number. */
  pre: { phase: 'a' | 'b' | 'rc'; number: number } | undefined;
  post: number | undefined;
  dev: number | undefined;
  /** The local label after `+`, normalised to lower case with `.` separators, or ''. */
  local: string;
}

const versionPattern =
  /^v?(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?(\d+)?)?(?:-(\d+)|[-_.]?(post|rev|r)[-_.]?(\d+)?)?(?:[-_.]?(dev)[-_.]?(\d+)?)?(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?$/;

const prePhases = { a: 'a', alpha: 'a', b: 'b', beta: 'b', c: 'rc', rc: 'rc', pre: 'rc', preview: 'rc' } as const;

export function parsePep440(text: string): Pep440Version | undefined {
  const match = versionPattern.exec(text.trim().toLowerCase());
  if (!match) return undefined;
  const [, epoch, release = '', prePhase, preNumber, postImplicit, postWord, postNumber, devWord, devNumber, local] = match;
  return {
    epoch: epoch ? Number(epoch) : 0,
    release: release.split('.').map(Number),
    pre: prePhase ? { phase: prePhases[prePhase as keyof typeof prePhases], number: Number(preNumber ?? 0) } : undefined,
    post: postImplicit !== undefined ? Number(postImplicit) : postWord ? Number(postNumber ?? 0) : undefined,
    dev: devWord ? Number(devNumber ?? 0) : undefined,
    local: local ? local.replace(/[-_]/g, '.') : '',
  };
}

function compareReleases(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

const phaseRank = { a: 0, b: 1, rc: 2 } as const;

/** PEP 440 ordering of the public version (epoch, release, pre, post, dev); local labels ignored. */
export function comparePublic(a: Pep440Version, b: Pep440Version): number {
  return a.epoch - b.epoch || compareReleases(a.release, b.release) || compareSuffixes(a, b);
}

function compareSuffixes(a: Pep440Version, b: Pep440Version): number {
  // A dev release of a final version (1.0.dev0) sorts before its pre-releases; a final sorts after them.
  const preKey = (v: Pep440Version): number =>
    v.pre ? phaseRank[v.pre.phase] * 1e9 + v.pre.number : v.post === undefined && v.dev !== undefined ? -Infinity : Infinity;
  const postKey = (v: Pep440Version): number => v.post ?? -Infinity;
  const devKey = (v: Pep440Version): number => v.dev ?? Infinity;
  return (
    Math.sign(preKey(a) - preKey(b) || 0) ||
    Math.sign(postKey(a) - postKey(b) || 0) ||
    Math.sign(devKey(a) - devKey(b) || 0)
  );
}

type Operator = '===' | '==' | '!=' | '~=' | '>=' | '<=' | '>' | '<';

interface Clause {
  operator: Operator;
  /** The version text after the operator, without a trailing `.*`. */
  version: string;
  wildcard: boolean;
}

const clausePattern = /^(===|==|!=|~=|>=|<=|>|<)\s*(\S+?)\s*$/;

/** Splits `>=2.0, <2.5` into clauses; undefined when any clause is not valid PEP 440. */
export function parseSpecifier(specifier: string): Clause[] | undefined {
  const clauses: Clause[] = [];
  for (const raw of specifier.split(',')) {
    const match = clausePattern.exec(raw.trim());
    if (!match?.[1] || !match[2]) return undefined;
    const operator = match[1] as Operator;
    const wildcard = match[2].endsWith('.*');
    const version = wildcard ? match[2].slice(0, -2) : match[2];
    if (wildcard && operator !== '==' && operator !== '!=') return undefined;
    if (operator !== '===' && !parsePep440(version)) return undefined;
    if (operator === '~=' && (parsePep440(version)?.release.length ?? 0) < 2) return undefined;
    clauses.push({ operator, version, wildcard });
  }
  return clauses;
}

function withoutLocal(version: Pep440Version): Pep440Version {
  return { ...version, local: '' };
}

function prefixMatches(candidate: Pep440Version, prefix: Pep440Version): boolean {
  if (candidate.epoch !== prefix.epoch) return false;
  return prefix.release.every((part, i) => (candidate.release[i] ?? 0) === part);
}

function clauseAllows(candidateText: string, clause: Clause): boolean {
  if (clause.operator === '===') return candidateText.trim().toLowerCase() === clause.version.toLowerCase();
  const candidate = parsePep440(candidateText);
  const target = parsePep440(clause.version);
  if (!candidate || !target) return false;
  const publicCandidate = withoutLocal(candidate);
  const order = comparePublic(publicCandidate, target);
  switch (clause.operator) {
    case '==':
    case '!=': {
      // `==2.0.1` accepts `2.0.1+cu118` (a specifier without a local label ignores the candidate's).
      const same = clause.wildcard
        ? prefixMatches(candidate, target)
        : order === 0 && (target.local === '' || target.local === candidate.local);
      return clause.operator === '==' ? same : !same;
    }
    case '~=': {
      const prefix = { ...target, release: target.release.slice(0, -1) };
      return order >= 0 && prefixMatches(candidate, prefix);
    }
    case '>=':
      return order >= 0;
    case '<=':
      return order <= 0;
    case '>':
      // PEP 440: `>V` does not admit post-releases of V (unless V is one).
      return order > 0 && !(target.post === undefined && candidate.post !== undefined && sameBase(candidate, target));
    case '<':
      // PEP 440: `<V` does not admit pre-releases of V (unless V is one).
      return order < 0 && !(target.pre === undefined && candidate.pre !== undefined && sameBase(candidate, target));
  }
}

function sameBase(a: Pep440Version, b: Pep440Version): boolean {
  return a.epoch === b.epoch && compareReleases(a.release, b.release) === 0;
}

/** Whether a version satisfies every clause of a specifier (`''` allows everything). */
export function satisfies(version: string, specifier: string): boolean {
  if (specifier.trim() === '') return parsePep440(version) !== undefined;
  const clauses = parseSpecifier(specifier);
  return !!clauses && clauses.every((clause) => clauseAllows(version, clause));
}

/** The highest of `versions` that satisfies `specifier`, or undefined. */
export function highestSatisfying(versions: Iterable<string>, specifier: string): string | undefined {
  const clauses = specifier.trim() === '' ? [] : parseSpecifier(specifier);
  if (!clauses) return undefined;
  let best: { text: string; parsed: Pep440Version } | undefined;
  for (const text of versions) {
    const parsed = parsePep440(text);
    if (!parsed || !clauses.every((clause) => clauseAllows(text, clause))) continue;
    if (!best || comparePublic(parsed, best.parsed) > 0) best = { text, parsed };
  }
  return best?.text;
}
