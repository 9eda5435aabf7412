import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseBuildFailure } from '../../../src/engine/failure.js';

// Recorded from a real build (BuildKit of Docker 20.10, plain progress) whose requirements named a
// package that does not exist.
const recorded = readFileSync(new URL('./buildkit-missing-package.txt', import.meta.url), 'utf8').split('\n');

describe('parseBuildFailure', () => {
  it('names the failing instruction and keeps the tail of its log', () => {
    const failure = parseBuildFailure(recorded);
    expect(failure.step).toBe('[stage-0  7/11] RUN --mount=type=cache,target=/root/.cache/uv uv pip install -r /tmp/requirements.txt');
    expect(failure.logTail.join('\n')).toContain('this-package-does-not-exist-cogpack was not found in the package');
    expect(failure.logTail.some((line) => line.startsWith('sha256:'))).toBe(false);
    expect(failure.summary).toBe('executor failed running [/bin/sh -c uv pip install -r /tmp/requirements.txt]: exit code: 1');
  });

  it('falls back to the last lines when no step is marked as failed', () => {
    const failure = parseBuildFailure(['error: something odd', 'failed to solve: x']);
    expect(failure.step).toBeUndefined();
    expect(failure.logTail).toEqual(['error: something odd', 'failed to solve: x']);
  });
});
