import ora, { type Ora } from 'ora';
import type { ProgressMode } from '../engine/argv.js';
import type { Logger } from './logger.js';

export interface BuildProgress {
  /** Feed one line of BuildKit's plain progress. */
  line: (text: string) => void;
  /** Stop drawing; `ok` false leaves the spinner marked failed. */
  stop: (ok: boolean) => void;
}

/** A BuildKit step header, e.g. `#7 [stage-0 3/9] RUN uv pip install ...`. */
const stepHeader = /^#\d+ \[(?:stage-\d+\s+)?(\d+\/\d+)\] (.*)$/;

/**
 * Shows a build the way the mode asks: `plain` passes every BuildKit line through, `quiet` shows
 * nothing, `auto`/`tty` draw one spinner naming the current step on a terminal (and fall back to
 * plain lines when stderr is not a terminal, e.g. in CI).
 */
export function createBuildProgress(mode: ProgressMode, logger: Logger, isTerminal = Boolean(process.stderr.isTTY)): BuildProgress {
  const effective = mode === 'quiet' ? 'quiet' : mode === 'plain' || !isTerminal ? 'plain' : 'spinner';
  if (effective === 'quiet') return { line: () => {}, stop: () => {} };
  if (effective === 'plain' || logger.debugEnabled) return { line: (text) => logger.raw(text), stop: () => {} };
  const spinner: Ora = ora({ text: 'starting BuildKit', stream: process.stderr }).start();
  return {
    line: (text) => {
      const step = stepHeader.exec(text);
      if (step) spinner.text = `step ${step[1]}: ${step[2]!.slice(0, (process.stderr.columns ?? 100) - 20)}`;
    },
    stop: (ok) => (ok ? spinner.succeed('image built') : spinner.fail('build failed')),
  };
}
