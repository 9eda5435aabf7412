import { describe, expect, it } from 'vitest';
import {
  compareVersions,
  equal,
  equalMinor,
  greater,
  greaterOrEqual,
  highestVersion,
  matches,
  parseVersion,
  sortVersions,
  stripMetadata,
  stripPatch,
} from '../../../src/compat/version.js';

describe('parseVersion', () => {
  it.each([
    ['2', { major: 2, minor: 0, patch: undefined, metadata: '' }],
    ['2.3', { major: 2, minor: 3, patch: undefined, metadata: '' }],
    ['2.3.1', { major: 2, minor: 3, patch: 1, metadata: '' }],
    ['2.0.1+cu118', { major: 2, minor: 0, patch: 1, metadata: 'cu118' }],
  ])('%s', (text, parsed) => {
    expect(parseVersion(text)).toEqual(parsed);
  });

  it.each(['2.1.0rc1', '2.1.0.post1', '2.3.*', '', 'x.1', '1.2.3.4'])('rejects %s', (text) => {
    expect(parseVersion(text)).toBeUndefined();
  });
});

describe('matches', () => {
  it.each([
    ['2.3', '2.3.0', true],
    ['2.3', '2.3.1', true],
    ['2.3.0', '2.3.1', false],
    ['2.3.1', '2.3.1+cu121', true],
    ['2.7.0+cpu', '2.7.0+cu128', true],
    ['2.3', '2.4.0', false],
    ['3.2', '2.3', false],
    ['2.3.*', '2.3.0', false],
    ['12.1', '12.1.1', true],
  ])('%s ~ %s → %s', (a, b, expected) => {
    expect(matches(a, b)).toBe(expected);
    expect(matches(b, a)).toBe(expected);
  });
});

describe('ordering', () => {
  it('compares major, minor, patch; a missing patch is 0; metadata ignored', () => {
    expect(greater('12.1', '11.8')).toBe(true);
    expect(greater('11.8', '11.8.0')).toBe(false);
    expect(greater('11.8.1', '11.8')).toBe(true);
    expect(greater('2.0.1+cu118', '2.0.1')).toBe(false);
    expect(compareVersions('12.10', '12.9')).toBeGreaterThan(0);
  });

  it('equal includes metadata, so greaterOrEqual("1.13.1+cu117", "1.13.1") is false', () => {
    expect(equal('11.8', '11.8.0')).toBe(true);
    expect(equal('1.13.1+cu117', '1.13.1')).toBe(false);
    expect(greaterOrEqual('1.13.1+cu117', '1.13.1')).toBe(false);
    expect(greaterOrEqual('2.0.0', '1.13.1')).toBe(true);
    expect(equal('abc', 'abc')).toBe(true);
  });

  it('equalMinor compares major and minor only', () => {
    expect(equalMinor('12.1', '12.1.1')).toBe(true);
    expect(equalMinor('12.1', '12.2')).toBe(false);
    expect(equalMinor('x', '12.2')).toBe(false);
  });

  it('sorts CUDAs as versions, not strings', () => {
    expect(sortVersions(['9.2', '12.1', '11.8', '12.10'])).toEqual(['9.2', '11.8', '12.1', '12.10']);
    expect(highestVersion(['9.2', '12.1', '11.8'])).toBe('12.1');
    expect(highestVersion([])).toBeUndefined();
  });
});

describe('strip helpers', () => {
  it('stripPatch and stripMetadata', () => {
    expect(stripPatch('12.1.1')).toBe('12.1');
    expect(stripPatch('12.1')).toBe('12.1');
    expect(stripMetadata('2.0.1+cu118')).toBe('2.0.1');
    expect(stripMetadata('2.0.1')).toBe('2.0.1');
  });
});
