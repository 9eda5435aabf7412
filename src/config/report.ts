import type { ConfigIssue } from '../errors.js';
import { formatPath, type KeyPath, type Position } from './locate.js';
import type { YamlTree } from './yaml-tree.js';

/** A problem with a value: the sentence (upstream's where it has one), and what to do about it. */
export interface Problem {
  message: string;
  hint?: string;
}

export interface ErrorOptions {
  /** Locate the error at this path instead of the reported one (e.g. a missing key's section). */
  at?: KeyPath;
  /** Point at the key rather than its value (for "this key should not be here" errors). */
  atKey?: boolean;
  /** What to do about it: printed on the line under the message. */
  hint?: string;
  /**
   * Upstream reports this problem as a ValidationError: the sentence becomes upstream's
   * `invalid <field> "<value>": <message>` (or `invalid <field>: <message>` without a value),
   * word for word, instead of cogpack's `<key path>: <message>`.
   */
  upstream?: { field: string; value?: string };
}

/** The first sentence of an issue: upstream's rendering where it has one, else `<key path>: <message>`. */
function sentence(path: KeyPath, message: string, upstream: ErrorOptions['upstream']): string {
  if (upstream) {
    // Go's %q: a double-quoted string with escapes, which JSON.stringify matches for text.
    return upstream.value === undefined ? `invalid ${upstream.field}: ${message}` : `invalid ${upstream.field} ${JSON.stringify(upstream.value)}: ${message}`;
  }
  const key = formatPath(path);
  return key ? `${key}: ${message}` : message;
}

/**
 * Collects every error and warning of one cog.yaml, each located at a line and column, so the
 * user sees all of them at once rather than one per run.
 */
export class Report {
  readonly issues: ConfigIssue[] = [];
  readonly warnings: string[] = [];
  /** Paths with a shape error: a later error about the same value would only repeat it. */
  private readonly claimedPaths = new Set<string>();
  /** Paths with a YAML error (bad alias, duplicate key): what is under them is not what was meant. */
  private readonly yamlErrorPaths: KeyPath[] = [];

  constructor(
    private readonly tree: Pick<YamlTree, 'positionOf' | 'keyPositionOf'>,
    /** The file's name as shown in messages, e.g. `cog.yaml`. */
    readonly fileName: string,
  ) {}

  /** An error in the YAML itself, at an exact position (syntax, duplicate key, bad alias). */
  yamlError(position: Position, path: KeyPath, message: string, hint?: string): void {
    this.yamlErrorPaths.push(path);
    this.issues.push({ file: this.fileName, line: position.line, column: position.column, path: formatPath(path), message: sentence(path, message, undefined), hint });
  }

  /** An error found by the shape check (schema.ts): the first one about a value wins. */
  shapeError(path: KeyPath, message: string, options: ErrorOptions = {}): void {
    if (this.isClaimed(path)) return;
    this.claimedPaths.add(formatPath(path));
    this.push(path, message, options);
  }

  /** An error found by a rule; dropped when the YAML or shape check already reported that value. */
  error(path: KeyPath, message: string, options: ErrorOptions = {}): void {
    if (this.isClaimed(path)) return;
    this.push(path, message, options);
  }

  /**
   * A warning at a place in the file: `cog.yaml:3:3: <message>`, and the hint on the next line.
   * Warnings are plain strings (they travel in `--json` documents as such).
   */
  warnAt(path: KeyPath, message: string, options: { atKey?: boolean; hint?: string } = {}): void {
    const head = `${this.where(path, options)}: ${message}`;
    this.warnings.push(options.hint ? `${head}\n  hint: ${options.hint}` : head);
  }

  /** A warning already located by its author (the YAML reader's). */
  warn(message: string): void {
    this.warnings.push(message);
  }

  /** `cog.yaml:3:3`. */
  where(path: KeyPath, options: { atKey?: boolean } = {}): string {
    const position = options.atKey ? this.tree.keyPositionOf(path) : this.tree.positionOf(path);
    return `${this.fileName}:${position.line}:${position.column}`;
  }

  get hasErrors(): boolean {
    return this.issues.length > 0;
  }

  /** The errors in the order they appear in the file. */
  sortedIssues(): ConfigIssue[] {
    return [...this.issues].sort((a, b) => a.line - b.line || a.column - b.column);
  }

  private isClaimed(path: KeyPath): boolean {
    const underYamlError = this.yamlErrorPaths.some((claimed) => claimed.every((step, i) => path[i] === step));
    return underYamlError || this.claimedPaths.has(formatPath(path));
  }

  private push(path: KeyPath, message: string, options: ErrorOptions): void {
    const where = options.at ?? path;
    const position = options.atKey ? this.tree.keyPositionOf(where) : this.tree.positionOf(where);
    this.issues.push({
      file: this.fileName,
      line: position.line,
      column: position.column,
      path: formatPath(path),
      message: sentence(path, message, options.upstream),
      hint: options.hint,
    });
  }
}
