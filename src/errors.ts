/**
 * The error taxonomy (style.md, "Errors"). Only cli.ts turns these into exit codes.
 * A UserError is the user's to fix: it prints its message and hint, never a stack.
 * Anything else that escapes is a bug in cogpack and prints its stack.
 */

/** Exit codes, documented in docs/exit-codes.md. */
export const ExitCode = {
  ok: 0,
  userError: 1,
  usage: 2,
  unavailable: 3,
  internal: 70,
  /** Stopped by Ctrl-C or SIGTERM, as a shell reports SIGINT (128 + 2). */
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface UserErrorOptions {
  /** What to do about it, printed on its own line under the message. */
  hint?: string;
  /** Underlying error, kept for --debug. */
  cause?: unknown;
  /** Exit code: an ExitCode (default userError), or the status of a command cog ran for the user (`cog exec`). */
  exitCode?: ExitCode | number;
}

export class UserError extends Error {
  readonly hint: string | undefined;
  readonly exitCode: ExitCode | number;

  constructor(message: string, options: UserErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = 'UserError';
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? ExitCode.userError;
  }
}

/** A bad flag, argument or environment variable: the command line is the user's to fix (exit 2). */
export class UsageError extends UserError {
  constructor(message: string, options: Omit<UserErrorOptions, 'exitCode'> = {}) {
    super(message, { ...options, exitCode: ExitCode.usage });
    this.name = 'UsageError';
  }
}

/** The engine (Docker/BuildKit) or a registry cannot be reached at all. */
export class UnavailableError extends UserError {
  constructor(message: string, options: Omit<UserErrorOptions, 'exitCode'> = {}) {
    super(message, { ...options, exitCode: ExitCode.unavailable });
    this.name = 'UnavailableError';
  }
}

/** The user stopped the command (Ctrl-C, SIGTERM): not a failure of theirs nor a bug. */
export class CancelledError extends UserError {
  constructor(message: string, options: Omit<UserErrorOptions, 'exitCode'> = {}) {
    super(message, { ...options, exitCode: ExitCode.interrupted });
    this.name = 'CancelledError';
  }
}

/** One problem in cog.yaml, located at a line and column. */
export interface ConfigIssue {
  file: string;
  line: number;
  column: number;
  /** Dotted key path, e.g. `build.python_version`; empty for the document itself. */
  path: string;
  /**
   * The first sentence: upstream Cog's own where it has one (`invalid build.python_version "3.8":
   * minimum supported Python version is 3.10`), so scripts that grep upstream's words still match.
   */
  message: string;
  /** What to do about it, printed on the next line. */
  hint?: string | undefined;
}

/** `cog.yaml:2:19: <sentence>`, and the hint on the next line. */
export function formatConfigIssue(issue: ConfigIssue): string {
  const head = `${issue.file}:${issue.line}:${issue.column}: ${issue.message}`;
  return issue.hint ? `${head}\n  hint: ${issue.hint}` : head;
}

/** cog.yaml is invalid; carries every problem found, not just the first. */
export class ConfigError extends UserError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    const count = issues.length === 1 ? '1 error' : `${issues.length} errors`;
    const listed = issues.map((issue) => formatConfigIssue(issue).replace(/^/gm, '  '));
    super(`${issues[0]?.file ?? 'cog.yaml'} is invalid (${count}):\n${listed.join('\n')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}
