import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cogInstall, cogletInstall, parseWheelSource } from '../../../src/dockerfile/runtime-wheels.js';
import { cogRuntimeSteps } from '../../../src/dockerfile/steps.js';
import { UserError } from '../../../src/errors.js';

describe('the Cog runtime install', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cogpack-wheels-'));
  writeFileSync(path.join(dir, 'cog-0.22.0-py3-none-any.whl'), '');
  writeFileSync(path.join(dir, 'cog-0.23.1-py3-none-any.whl'), '');
  writeFileSync(path.join(dir, 'coglet-0.23.1-cp310-abi3-manylinux_2_17_x86_64.whl'), '');

  it.each([
    ['pypi', { kind: 'pypi' }],
    ['pypi:0.23.0', { kind: 'pypi', version: '0.23.0' }],
    ['https://example.com/cog.whl', { kind: 'url', url: 'https://example.com/cog.whl' }],
  ])('COG_SDK_WHEEL=%s', (value, source) => {
    expect(parseWheelSource(value, 'cog', dir)).toEqual(source);
  });

  it('a folder gives its newest cog wheel; a file itself', () => {
    expect(parseWheelSource(dir, 'cog', '/')).toEqual({ kind: 'file', path: path.join(dir, 'cog-0.23.1-py3-none-any.whl') });
    expect(parseWheelSource('cog-0.22.0-py3-none-any.whl', 'cog', dir)).toEqual({ kind: 'file', path: path.join(dir, 'cog-0.22.0-py3-none-any.whl') });
  });

  it('a missing path is a user error naming the variable', () => {
    expect(() => parseWheelSource('./nope', 'coglet', dir)).toThrow('COGLET_WHEEL=./nope: no such file or directory');
  });

  it('COG_SDK_WHEEL beats build.sdk_version; a local wheel is copied in first', () => {
    const install = cogInstall(parseWheelSource(dir, 'cog', '/'), '0.20.0');
    expect(cogRuntimeSteps([install], false)).toEqual([
      'COPY .cog/build/cog-0.23.1-py3-none-any.whl /tmp/cog-0.23.1-py3-none-any.whl',
      'RUN --mount=type=cache,target=/root/.cache/uv uv pip install /tmp/cog-0.23.1-py3-none-any.whl',
    ]);
  });

  it('pins, pre-releases, and upstream\'s minimum of 0.16.0', () => {
    expect(cogInstall(undefined, '0.18.0')).toEqual({ spec: 'cog==0.18.0', pre: false });
    expect(cogInstall({ kind: 'pypi', version: '0.19.0a1' }, undefined)).toEqual({ spec: 'cog==0.19.0a1', pre: true });
    expect(() => cogInstall(undefined, '0.15.9')).toThrow(UserError);
  });

  it('coglet gets its own line only when COGLET_WHEEL names it', () => {
    expect(cogletInstall(undefined)).toBeUndefined();
    expect(cogletInstall({ kind: 'pypi', version: '0.23.1' })).toEqual({ spec: 'coglet==0.23.1', pre: false });
  });
});
