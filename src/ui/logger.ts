import { chalkStderr as chalk, type ChalkInstance } from 'chalk';
import { redact } from './redact.js';

/** The phases a command reports, each with its own colour-coded prefix. */
export type Phase = 'config' | 'resolve' | 'build' | 'label' | 'run' | 'push' | 'engine';

const phaseColour: Record<Phase, ChalkInstance> = {
  config: chalk.cyan,
  resolve: chalk.magenta,
  build: chalk.blue,
  label: chalk.green,
  run: chalk.yellow,
  push: chalk.green,
  engine: chalk.gray,
};

export interface LoggerOptions {
  /** Print debug lines (`--debug`). Default false. */
  debug?: boolean;
  /** Where lines go; default process.stderr (stdout is kept for results). */
  write?: (line: string) => void;
}

/**
 * Human-facing progress and diagnostics, on stderr (colour decided for stderr: none when it is not a
 * terminal, NO_COLOR and FORCE_COLOR honoured by chalk). Every line is redacted before it is written.
 */
export class Logger {
  readonly debugEnabled: boolean;
  private readonly write: (line: string) => void;

  constructor(options: LoggerOptions = {}) {
    this.debugEnabled = options.debug ?? false;
    this.write = options.write ?? ((line) => process.stderr.write(`${line}\n`));
  }

  info(phase: Phase, message: string): void {
    this.write(`${this.prefix(phase)} ${redact(message)}`);
  }

  /** The colour-coded name of a phase, as it starts a line. */
  prefix(phase: Phase): string {
    return phaseColour[phase](phase.padEnd(7));
  }

  warn(message: string): void {
    this.write(`${chalk.yellow('warning')} ${redact(message)}`);
  }

  debug(message: string): void {
    if (this.debugEnabled) this.write(chalk.gray(`debug   ${redact(message)}`));
  }

  /**
   * A sentence for the user on a line of its own, without a phase: a command's closing word
   * ("Image built as …"), which upstream prints on stderr too. Stdout is kept for results.
   */
  say(message: string): void {
    this.write(redact(message));
  }

  /** Raw passthrough (e.g. BuildKit progress), still redacted. */
  raw(line: string): void {
    this.write(redact(line));
  }
}

/** A logger that records lines, for tests and for --json runs. */
export function recordingLogger(lines: string[], debug = false): Logger {
  return new Logger({ debug, write: (line) => lines.push(line) });
}
