import type { Logger } from '../ui/logger.js';

/** One option of a command, declared as data so --help and the docs come from one table. */
export interface OptionSpec {
  /** Commander flags, e.g. `-t, --tag <name>`. */
  flags: string;
  description: string;
  /** Allowed values, checked before the handler runs. */
  choices?: string[];
  /** A repeatable option collects its values into a list. */
  repeatable?: boolean;
  defaultValue?: string | boolean;
}

/** What every handler gets besides its own options. */
export interface CommandContext {
  cwd: string;
  logger: Logger;
  /** Results go to stdout; progress and diagnostics go through the logger (stderr). */
  print: (line: string) => void;
  /** Aborted on Ctrl-C/SIGTERM. */
  signal: AbortSignal;
}

export interface CommandDefinition {
  name: string;
  aliases?: string[];
  /** Positional arguments in commander syntax, e.g. `[image]` or `<command...>`. */
  arguments?: string;
  description: string;
  options: OptionSpec[];
  /**
   * Upstream's deprecation notice, printed (on stderr) before the command's options are even
   * parsed, as Cobra prints a deprecated command's: `Command "<name>" is deprecated, <this>`.
   */
  deprecated?: string;
  /** Options after the first argument belong to the arguments (`cog exec python -c …`). Default false. */
  passThroughOptions?: boolean;
  handler: (args: string[], options: Record<string, unknown>, context: CommandContext) => Promise<void>;
}
