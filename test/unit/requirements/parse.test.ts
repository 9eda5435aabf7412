import { describe, expect, it } from 'vitest';
import { packageName, parseRequirementLine, parseRequirementsText } from '../../../src/requirements/parse.js';

describe('parseRequirementsText', () => {
  it('splits CRLF and LF lines, trims, and skips blank lines', () => {
    expect(parseRequirementsText('numpy==1.26.4\r\n\r\n  pandas  \nrequests\n')).toEqual(['numpy==1.26.4', 'pandas', 'requests']);
  });

  it('joins backslash continuations without a separator', () => {
    expect(parseRequirementsText('torch==2.3.0 \\\n  --hash=sha256:abc\nnumpy\\\n==1.26.4\n')).toEqual([
      'torch==2.3.0   --hash=sha256:abc',
      'numpy==1.26.4',
    ]);
  });

  it('skips blank lines inside a continuation and keeps a dangling one', () => {
    expect(parseRequirementsText('numpy\\\n\n==1.26.4\nsix\\')).toEqual(['numpy==1.26.4', 'six']);
  });

  it('drops comment lines, inline comments and the project itself (-e .)', () => {
    expect(parseRequirementsText('# header\nnumpy # pinned later\n-e .\n-e   .\n  # indented\n-e ./subpkg\n')).toEqual([
      'numpy',
      '-e ./subpkg',
    ]);
  });

  it('does not let a comment line continue onto the next (as pip)', () => {
    expect(parseRequirementsText('# note \\\nnumpy\n')).toEqual(['numpy']);
  });

  it('keeps a # inside a token: URL fragments survive (quirk 12 fixed)', () => {
    expect(parseRequirementsText('pkg @ https://x.example/p.whl#sha256=abc\ngit+https://github.com/o/r.git#egg=r\n')).toEqual([
      'pkg @ https://x.example/p.whl#sha256=abc',
      'git+https://github.com/o/r.git#egg=r',
    ]);
  });

  it('keeps option lines verbatim', () => {
    expect(parseRequirementsText('-f https://x\n--extra-index-url https://y\n')).toEqual(['-f https://x', '--extra-index-url https://y']);
  });
});

describe('packageName', () => {
  it.each([
    ['torch==2.3.0', 'torch'],
    ['Pillow>=10', 'pillow'],
    ['zope.interface', 'zope-interface'],
    ['cog[extra]==0.17', 'cog'],
    ['--extra-index-url https://x', undefined],
    ['./dist/a.whl', undefined],
  ])('%s → %s', (line, name) => {
    expect(packageName(line)).toBe(name);
  });
});

describe('parseRequirementLine', () => {
  it.each([
    ['torch==2.3.0', { name: 'torch', specifier: '==2.3.0', url: undefined }],
    ['Torch[opt] >= 2.0, < 2.5 ; python_version > "3.8"', { name: 'torch', specifier: '>= 2.0, < 2.5', url: undefined }],
    ['torch==2.3.0 --hash=sha256:abc', { name: 'torch', specifier: '==2.3.0', url: undefined }],
    ['torch (>=2.0)', { name: 'torch', specifier: '>=2.0', url: undefined }],
    ['torch', { name: 'torch', specifier: '', url: undefined }],
    ['torch @ https://x/torch-2.3.0-cp311-none-any.whl', { name: 'torch', specifier: '', url: 'https://x/torch-2.3.0-cp311-none-any.whl' }],
  ])('%s', (line, parts) => {
    expect(parseRequirementLine(line)).toEqual(parts);
  });

  it.each(['-r other.txt', 'git+https://github.com/o/r.git', 'https://x/y.whl', 'torch@'])('%s is not a named requirement', (line) => {
    expect(parseRequirementLine(line)).toBeUndefined();
  });
});
