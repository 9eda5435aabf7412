import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { packageName, readRequirements } from '../../../src/requirements/read.js';

describe('packageName', () => {
  it.each([
    ['torch==2.3.0', 'torch'],
    ['Pillow>=10', 'pillow'],
    ['zope.interface', 'zope-interface'],
    ['cog[extra]==0.17', 'cog'],
    ['--extra-index-url https://x', undefined],
  ])('%s → %s', (line, name) => {
    expect(packageName(line)).toBe(name);
  });
});

describe('readRequirements', () => {
  const config = loadConfig({ file: '/p/cog.yaml', text: 'build:\n  python_version: "3.12"\n' }).config;

  it('drops blanks, comments, and the runtime the build installs itself', () => {
    const withFile = { ...config, build: { ...config.build, pythonRequirements: '/p/requirements.txt' } };
    const result = readRequirements(withFile, () => '# numpy\nnumpy==1.26.4\n\ncog==0.9.0\nCoglet\nrequests\n');
    expect(result.lines).toEqual(['numpy==1.26.4', 'requests']);
    expect(result.warnings[0]).toContain('ignoring cog==0.9.0, Coglet');
  });

  it('reads the deprecated inline python_packages', () => {
    const inline = { ...config, build: { ...config.build, pythonPackages: ['six==1.17.0'] } };
    expect(readRequirements(inline).lines).toEqual(['six==1.17.0']);
  });
});

describe('readRequirements: the file', () => {
  const config = loadConfig({ file: '/p/cog.yaml', text: 'build:\n  python_version: "3.12"\n' }).config;
  const withFile = { ...config, build: { ...config.build, pythonRequirements: '/p/deps/requirements.txt' } };

  it('parses continuations, CRLF, inline comments and -e . as pip does', () => {
    const text = 'numpy==1.26.4 # pinned\r\ntorch==2.3.0 \\\r\n  --hash=sha256:abc\r\n-e .\r\npkg @ https://x.example/p.whl#sha256=def\r\n';
    expect(readRequirements(withFile, () => text).lines).toEqual([
      'numpy==1.26.4',
      'torch==2.3.0   --hash=sha256:abc',
      'pkg @ https://x.example/p.whl#sha256=def',
    ]);
  });

  it('says which directory relative paths are resolved against', () => {
    expect(readRequirements(withFile, () => '').directory).toBe('/p/deps');
    expect(readRequirements({ ...config, build: { ...config.build, pythonPackages: ['six'] } }).directory).toBe('/p');
  });
});

describe('readRequirements: errors', () => {
  it('says which requirements file could not be opened', () => {
    const config = loadConfig({ file: '/p/cog.yaml', text: 'build:\n  python_version: "3.12"\n' }).config;
    const withFile = { ...config, build: { ...config.build, pythonRequirements: '/nonexistent/requirements.txt' } };
    expect(() => readRequirements(withFile)).toThrow(/^failed to open python_requirements file: ENOENT/);
  });
});
