import type { Env } from '../settings/env.js';
import type { Logger } from '../ui/logger.js';
import type { OptionSpecs, ParsedOptions } from './options.js';

/** What every handler gets besides its own options. */
export interface CommandContext {
  cwd: string;
  /** The environment the command runs with (the process's, or a test's). */
  env: Env;
  logger: Logger;
  /** Results go to stdout; progress and diagnostics go through the logger (stderr). */
  print: (line: string) => void;
  /** Aborted on Ctrl-C/SIGTERM. */
  signal: AbortSignal;
}

export interface CommandDefinition<O extends OptionSpecs = OptionSpecs> {
  name: string;
  aliases?: string[];
  /** Positional arguments in commander syntax, e.g. `[image]` or `<command...>`. */
  arguments?: string;
  description: string;
  /** The options by the attribute name commander gives each (`--no-cache` → `cache`), in --help order. */
  options: O;
  /**
   * Upstream's deprecation notice, printed (on stderr) before the command's options are even
   * parsed, as Cobra prints a deprecated command's: `Command "<name>" is deprecated, <this>`.
   */
  deprecated?: string;
  /** Options after the first argument belong to the arguments (`cog exec python -c …`). Default false. */
  passThroughOptions?: boolean;
  /** Turns the parsed options into one call of a workflow. */
  handler(args: string[], options: ParsedOptions<O>, context: CommandContext): Promise<void>;
}

/** Declares a command; its handler's options are typed from its option declarations. */
export function defineCommand<const O extends OptionSpecs>(definition: CommandDefinition<O>): CommandDefinition<O> {
  return definition;
}
