import { describe, expect, it } from 'vitest';
import { renderPinned, splitPinnedRequirement, standaloneIndexOption } from '../../../src/requirements/pinned.js';

describe('splitPinnedRequirement (spec §4.2 tests)', () => {
  it.each([
    ['package1==1.0.0', { name: 'package1', version: '1.0.0', findLinks: [], extraIndexUrls: [] }],
    ['package1==1.0.0+alpha', { name: 'package1', version: '1.0.0+alpha', findLinks: [], extraIndexUrls: [] }],
    ['--find-links=link1 --find-links=link2 package3==3.0.0', { name: 'package3', version: '3.0.0', findLinks: ['link1', 'link2'], extraIndexUrls: [] }],
    [
      '-f link1 --find-links=link2 package5==5.0.0 --extra-index-url=url1 --extra-index-url=url2',
      { name: 'package5', version: '5.0.0', findLinks: ['link1', 'link2'], extraIndexUrls: ['url1', 'url2'] },
    ],
  ])('%s', (line, expected) => {
    expect(splitPinnedRequirement(line)).toMatchObject(expected);
  });

  it.each([
    'package6 --find-links=link6',
    'invalid package',
    'package8==',
    '==8.0.0',
    'package == 1.0.0',
    'torch[opt]==2.3.0',
    '--extra-index-url https://x',
    'numpy>=1.0',
  ])('%s is not pinned', (line) => {
    expect(splitPinnedRequirement(line)).toBeUndefined();
  });

  it('reads a dotted name whole (upstream reads ruamel.yaml==0.18.6 as yaml==0.18.6)', () => {
    expect(splitPinnedRequirement('ruamel.yaml==0.18.6')).toMatchObject({ name: 'ruamel.yaml', version: '0.18.6' });
    expect(splitPinnedRequirement('pkg @ https://x.example/a==b')).toBeUndefined();
  });

  it('ends the version at a marker', () => {
    expect(splitPinnedRequirement('pkg==1.0;python_version>"3"')).toMatchObject({ version: '1.0' });
  });

  it('recognises the space-separated option forms too', () => {
    expect(splitPinnedRequirement('p==1 --extra-index-url u1 --find-links l1')).toMatchObject({
      extraIndexUrls: ['u1'],
      findLinks: ['l1'],
    });
  });
});

describe('renderPinned', () => {
  it('takes out the hoisted options and keeps markers and hashes', () => {
    const line = 'colorama==0.4.6 ; sys_platform == "win32" --hash=sha256:abc';
    const pinned = splitPinnedRequirement(line);
    expect(pinned && renderPinned(line, pinned)).toBe(line);
    const withIndex = '-f l1 torch==2.3.0 --extra-index-url=u1 --hash=sha256:def';
    const pinnedWithIndex = splitPinnedRequirement(withIndex);
    expect(pinnedWithIndex && renderPinned(withIndex, pinnedWithIndex, { version: '2.3.1' })).toBe('torch==2.3.1 --hash=sha256:def');
  });

  it('replaces name==version whole when asked', () => {
    const line = 'Tensorflow==2.12.0 ; platform_system == "Linux"';
    const pinned = splitPinnedRequirement(line);
    expect(pinned && renderPinned(line, pinned, { requirement: 'tensorflow==2.12.0' })).toBe(
      'tensorflow==2.12.0 ; platform_system == "Linux"',
    );
  });
});

describe('standaloneIndexOption', () => {
  it.each([
    ['--extra-index-url https://x', { extraIndexUrl: 'https://x' }],
    ['--extra-index-url=https://x', { extraIndexUrl: 'https://x' }],
    ['--find-links https://l', { findLinks: 'https://l' }],
    ['-f https://l', { findLinks: 'https://l' }],
    ['--index-url https://x', undefined],
    ['torch==2.3.0', undefined],
  ])('%s', (line, expected) => {
    expect(standaloneIndexOption(line)).toEqual(expected);
  });
});
