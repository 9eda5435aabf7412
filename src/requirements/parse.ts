/**
 * Reading requirements.txt text into logical requirement lines (spec cog-yaml.md §4.1), and the
 * small line-level parsers the rest of requirements/ shares.
 */

/** pip's comment rule: `#` starts a comment at the start of a line or after whitespace. */
const comment = /(^|\s)#.*$/;
const editableProject = /^-e\s+\.$/;

/**
 * The logical lines of a requirements file: CRLF handled, backslash continuations joined (the `\`
 * dropped, the next line appended without a separator), blank lines skipped, comments and the
 * project's own `-e .` removed, each line trimmed. Option lines (`-f …`, `--extra-index-url …`) stay.
 *
 * Unlike upstream, a `#` inside a token does not start a comment, so `pkg @ https://x/p.whl#sha256=…`
 * and `git+https://…#egg=name` survive (pip reads them the same way).
 */
export function parseRequirementsText(text: string): string[] {
  const logical: string[] = [];
  let pending: string | undefined;
  for (const physical of text.split(/\r?\n/)) {
    if (physical.trim() === '') continue;
    // As pip does: a comment line never continues onto the next, even if it ends with `\`.
    if (physical.endsWith('\\') && !/^\s*#/.test(physical)) {
      pending = (pending ?? '') + physical.slice(0, -1);
      continue;
    }
    logical.push((pending ?? '') + physical);
    pending = undefined;
  }
  if (pending !== undefined) logical.push(pending);

  const lines: string[] = [];
  for (const raw of logical) {
    const line = raw.trim().replace(comment, '').trim();
    if (line === '' || editableProject.test(line)) continue;
    lines.push(line);
  }
  return lines;
}

/** PEP 503 normalised name: runs of `-_.` become `-`, lower case. */
export function normalizePackageName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

/** PEP 503 name of a requirement line: extras dropped, runs of -_. folded, lower case. */
export function packageName(line: string): string | undefined {
  const match = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(line);
  if (!match?.[1] || line.trimStart().startsWith('-')) return undefined;
  return normalizePackageName(match[1]);
}

/** A requirement line taken apart: `name[extras] specifier ; marker`, or `name[extras] @ url`. */
export interface RequirementParts {
  /** PEP 503 normalised. */
  name: string;
  /** The version specifier as written, trimmed (`==2.3.0`, `>=2.0,<2.5`), '' when none. */
  specifier: string;
  /** The direct reference of `name @ url`, if any. */
  url: string | undefined;
}

const requirementHead = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(.*)$/;

/**
 * Parses a PEP 508-style requirement line; undefined for option lines, paths, VCS and bare URLs.
 * Markers (`; …`) and trailing per-requirement options (`--hash=…`) are cut off.
 */
export function parseRequirementLine(line: string): RequirementParts | undefined {
  if (line.trimStart().startsWith('-')) return undefined;
  const match = requirementHead.exec(line);
  if (!match?.[1]) return undefined;
  const name = normalizePackageName(match[1]);
  const rest = match[2] ?? '';
  if (rest.startsWith('@')) {
    const url = rest.slice(1).trim().split(/[\s;]/)[0] ?? '';
    return url ? { name, specifier: '', url } : undefined;
  }
  if (rest !== '' && !/^[<>=!~;(]/.test(rest) && !/^-/.test(rest)) return undefined;
  const beforeMarker = rest.split(';')[0] ?? '';
  const beforeOptions = beforeMarker.split(/(?:^|\s)--?[A-Za-z]/)[0] ?? '';
  const specifier = beforeOptions.trim().replace(/^\((.*)\)$/, '$1').trim();
  return { name, specifier, url: undefined };
}
