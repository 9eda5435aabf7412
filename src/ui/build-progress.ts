import ora, { type Ora } from 'ora';
import type { ProgressMode } from '../engine/argv.js';
import type { Logger } from './logger.js';
import { processEnv, readEnv, type Env } from '../settings/env.js';

export interface BuildProgress {
  /** Feed one line of BuildKit's plain progress. */
  line: (text: string) => void;
  /** Stop drawing; `ok` false leaves the spinner marked failed. */
  stop: (ok: boolean) => void;
}

/** Spinners only for a person at a terminal: not in CI, not on a dumb terminal, not into a pipe. */
export function interactiveTerminal(
  env: Env = processEnv(),
  stream: { isTTY?: boolean; columns?: number } = process.stderr,
): boolean {
  // A terminal of no known width (a pty nobody sized) cannot be redrawn in place: ora would clear
  // an endless number of lines.
  return Boolean(stream.isTTY) && (stream.columns ?? 0) > 0 && readEnv('TERM', env) !== 'dumb' && !readEnv('CI', env);
}

/** A BuildKit step header, e.g. `#7 [stage-0 3/9] RUN uv pip install ...`. */
const stepHeader = /^#\d+ \[(?:stage-\d+\s+)?(\d+\/\d+)\] (.*)$/;
/** Any line of plain progress: `#<vertex> <rest>`. */
const vertexLine = /^#(\d+) (.*)$/;

/** One event of `--progress json`: a line of JSON per BuildKit step change or log line. */
export type BuildEvent =
  | { event: 'step'; id: number; name: string }
  | { event: 'cached' | 'error'; id: number }
  | { event: 'done'; id: number; seconds: number }
  | { event: 'log'; id: number; text: string };

/** Turns one line of BuildKit's plain progress into an event; undefined for noise (digests, blanks). */
export function toBuildEvent(line: string): BuildEvent | undefined {
  const match = vertexLine.exec(line);
  if (!match) return undefined;
  const id = Number(match[1]);
  const rest = match[2] ?? '';
  if (rest.startsWith('sha256:')) return undefined;
  if (rest === 'CACHED') return { event: 'cached', id };
  if (rest.startsWith('ERROR')) return { event: 'error', id };
  const done = /^DONE (\d+(?:\.\d+)?)s$/.exec(rest);
  if (done) return { event: 'done', id, seconds: Number(done[1]) };
  if (rest.startsWith('[') || /^(resolve|load|transferring|naming|exporting|writing)/.test(rest)) {
    return rest.startsWith('[') ? { event: 'step', id, name: rest } : { event: 'log', id, text: rest };
  }
  return { event: 'log', id, text: rest.replace(/^\d+\.\d+ /, '') };
}

/**
 * Shows a build the way the mode asks: `plain` passes every BuildKit line through, `quiet` shows
 * nothing, `json` writes one JSON event per line (for CI), `auto`/`tty` draw one spinner naming the current step on a terminal (and fall back to
 * plain lines when stderr is not a terminal, e.g. in CI).
 */
export function createBuildProgress(mode: ProgressMode, logger: Logger, isTerminal = interactiveTerminal()): BuildProgress {
  const effective = mode === 'quiet' ? 'quiet' : mode === 'plain' || mode === 'json' || !isTerminal ? 'plain' : 'spinner';
  if (effective === 'quiet') return { line: () => {}, stop: () => {} };
  if (mode === 'json') {
    return {
      line: (text) => {
        const event = toBuildEvent(text);
        if (event) logger.raw(JSON.stringify(event));
      },
      stop: () => {},
    };
  }
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
