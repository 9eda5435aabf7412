import { describe, expect, it } from 'vitest';
import { highestSatisfying, parsePep440, parseSpecifier, satisfies } from '../../../src/compat/pep440.js';

describe('parsePep440', () => {
  it('reads release, pre, post, dev and local parts', () => {
    expect(parsePep440('2.1.0rc1')).toMatchObject({ release: [2, 1, 0], pre: { phase: 'rc', number: 1 } });
    expect(parsePep440('1.0.post2')).toMatchObject({ post: 2 });
    expect(parsePep440('1.0.dev3')).toMatchObject({ dev: 3 });
    expect(parsePep440('2.0.1+cu118')).toMatchObject({ release: [2, 0, 1], local: 'cu118' });
    expect(parsePep440('1!2.0')).toMatchObject({ epoch: 1 });
    expect(parsePep440('not a version')).toBeUndefined();
  });
});

describe('satisfies', () => {
  it.each([
    ['2.4.1', '>=2.0,<2.5', true],
    ['2.5.0', '>=2.0,<2.5', false],
    ['2.3.1', '==2.3.*', true],
    ['2.4.0', '==2.3.*', false],
    ['2.3.1', '!=2.3.*', false],
    ['2.3.0', '==2.3', true],
    ['2.3.1', '==2.3', false],
    ['2.0.1+cu118', '==2.0.1', true],
    ['2.0.1', '==2.0.1+cu118', false],
    ['2.3.5', '~=2.3.0', true],
    ['2.4.0', '~=2.3.0', false],
    ['2.9.0', '~=2.3', true],
    ['3.0.0', '~=2.3', false],
    ['2.3.0', '!=2.3.0', false],
    ['2.3.0', '> 2.2', true],
    ['2.2.0.post1', '>2.2', false],
    ['2.2.0rc1', '<2.2', false],
    ['2.1.0', '<2.2', true],
    ['2.2.0', '<=2.2', true],
    ['2.2.0', '===2.2.0', true],
    ['2.2', '===2.2.0', false],
    ['2.2.0', '', true],
  ])('%s in %s → %s', (version, specifier, expected) => {
    expect(satisfies(version, specifier)).toBe(expected);
  });

  it('orders pre, dev and post releases as PEP 440 does', () => {
    expect(satisfies('1.0rc1', '<1.0')).toBe(false);
    expect(satisfies('1.0rc1', '>=1.0a1')).toBe(true);
    expect(satisfies('1.0.dev0', '<1.0a1')).toBe(true);
    expect(satisfies('1.0.post1', '>1.0.post0')).toBe(true);
  });

  it('rejects malformed specifiers', () => {
    expect(parseSpecifier('>=2.0,')).toBeUndefined();
    expect(parseSpecifier('>=2.*')).toBeUndefined();
    expect(parseSpecifier('~=2')).toBeUndefined();
    expect(satisfies('2.0', 'banana')).toBe(false);
  });
});

describe('highestSatisfying', () => {
  const releases = ['2.3.0', '2.3.1', '2.4.0', '2.4.1', '2.10.0', '2.5.0'];
  it('picks the highest release inside the range, as versions not strings', () => {
    expect(highestSatisfying(releases, '>=2.0,<2.5')).toBe('2.4.1');
    expect(highestSatisfying(releases, '>=2.0')).toBe('2.10.0');
    expect(highestSatisfying(releases, '==2.3.*')).toBe('2.3.1');
    expect(highestSatisfying(releases, '>=3')).toBeUndefined();
    expect(highestSatisfying(releases, 'nonsense')).toBeUndefined();
  });
});
