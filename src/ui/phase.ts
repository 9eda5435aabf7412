import ora from 'ora';
import { interactiveTerminal } from './build-progress.js';
import type { Logger, Phase } from './logger.js';

export interface PhaseProgress {
  /** The phase ended well; `summary` replaces the spinner's text (and is printed in plain mode). */
  succeed(summary?: string): void;
  fail(): void;
}

/**
 * A phase of a command shown as it runs: a spinner with the phase's name on a terminal, one plain
 * line when it is done elsewhere (CI, pipes), so a person sees something move and a log stays readable.
 */
export function startPhase(logger: Logger, phase: Phase, text: string, interactive = interactiveTerminal()): PhaseProgress {
  if (!interactive || logger.debugEnabled) {
    // One line per phase, when it is done: a failed phase leaves only its error to read.
    return { succeed: (summary) => logger.info(phase, summary ?? text), fail: () => {} };
  }
  const spinner = ora({ text, prefixText: logger.prefix(phase), stream: process.stderr }).start();
  return { succeed: (summary) => spinner.succeed(summary ?? text), fail: () => spinner.fail() };
}
