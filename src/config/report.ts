import type { ConfigIssue } from '../errors.js';
import { formatPath, type KeyPath, type Position } from './locate.js';
import type { YamlTree } from './yaml-tree.js';

export interface ErrorOptions {
  /** Locate the error at this path instead of the reported one (e.g. a missing key's section). */
  at?: KeyPath;
  /** Point at the key rather than its value (for "this key should not be here" errors). */
  atKey?: boolean;
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
  yamlError(position: Position, path: KeyPath, message: string): void {
    this.yamlErrorPaths.push(path);
    this.issues.push({ file: this.fileName, line: position.line, column: position.column, path: formatPath(path), message });
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

  warn(message: string): void {
    this.warnings.push(message);
  }

  /** `cog.yaml:3:3`, for warnings, which are plain strings. */
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
    this.issues.push({ file: this.fileName, line: position.line, column: position.column, path: formatPath(path), message });
  }
}
