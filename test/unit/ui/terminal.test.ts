import { describe, expect, it } from 'vitest';
import { interactiveTerminal, toBuildEvent } from '../../../src/ui/build-progress.js';

describe('interactiveTerminal', () => {
  it.each([
    ['a sized terminal', {}, { isTTY: true, columns: 120 }, true],
    ['a pty of unknown width (would make ora clear endless lines)', {}, { isTTY: true, columns: 0 }, false],
    ['a pipe', {}, { isTTY: false, columns: 120 }, false],
    ['CI', { CI: 'true' }, { isTTY: true, columns: 120 }, false],
    ['a dumb terminal', { TERM: 'dumb' }, { isTTY: true, columns: 120 }, false],
  ])('%s', (_name, env, stream, expected) => {
    expect(interactiveTerminal(env, stream)).toBe(expected);
  });
});

describe('--progress json events', () => {
  it.each([
    ['#7 [stage-1 3/9] RUN uv pip install cog', { event: 'step', id: 7, name: '[stage-1 3/9] RUN uv pip install cog' }],
    ['#7 CACHED', { event: 'cached', id: 7 }],
    ['#7 DONE 1.5s', { event: 'done', id: 7, seconds: 1.5 }],
    ['#7 0.384 Installed 1 package in 1ms', { event: 'log', id: 7, text: 'Installed 1 package in 1ms' }],
    ['#7 ERROR: executor failed', { event: 'error', id: 7 }],
    ['#7 sha256:abc', undefined],
    ['', undefined],
  ])('%s', (line, event) => {
    expect(toBuildEvent(line)).toEqual(event);
  });
});
