import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { classifyLocalArtifact, planLocalArtifacts } from '../../../src/requirements/local-artifacts.js';

describe('classifyLocalArtifact', () => {
  it.each([
    './dist/pkg-1.0-py3-none-any.whl',
    '../wheels/pkg-1.0.tar.gz',
    '/abs/pkg-1.0.tgz',
    'pkg-1.0-py3-none-any.WHL',
    'vendor/pkg-1.0.zip',
    './my wheels/pkg@2-1.0.tar.bz2',
    './pkg.tar.xz',
    'torch==custom.whl',
  ])('%s is an artifact', (line) => {
    expect(classifyLocalArtifact(line)).toEqual({ kind: 'artifact', path: line });
  });

  it.each([
    'numpy==1.26.4',
    'https://example.com/pkg-1.0-py3-none-any.whl',
    'git+https://github.com/o/r.git',
    'pkg @ https://example.com/pkg.whl',
    '--extra-index-url https://x',
    '-f https://x/wheels',
    '-r https://x/requirements.txt',
    '-e ./subpkg',
  ])('%s is not local', (line) => {
    expect(classifyLocalArtifact(line)).toEqual({ kind: 'none' });
  });

  it.each([
    ['file:///tmp/pkg.whl', 'local file URL requirements are not supported: file:///tmp/pkg.whl'],
    ['FILE:./pkg.whl', 'local file URL requirements are not supported: FILE:./pkg.whl'],
    ['pkg@file:///tmp/pkg.whl', 'local file URL requirements are not supported: pkg@file:///tmp/pkg.whl'],
    ['pkg @ ./dist/pkg.whl', 'local direct reference requirements (`name @ path`) are not supported; list the path directly instead: pkg @ ./dist/pkg.whl'],
    ['pkg @ dist/pkg.whl', 'local direct reference requirements (`name @ path`) are not supported; list the path directly instead: pkg @ dist/pkg.whl'],
    ['-r requirements-dev.txt', 'local requirements option "-r" is not supported: -r requirements-dev.txt'],
    ['--requirement=other.txt', 'local requirements option "--requirement" is not supported: --requirement=other.txt'],
    ['-f ./wheels', 'local requirements option "-f" is not supported: -f ./wheels'],
    ['--find-links file:///wheels', 'local requirements option "--find-links" is not supported: --find-links file:///wheels'],
    ['./pkg.whl --hash=sha256:abc', 'local package artifact requirements do not support inline options or hashes: ./pkg.whl --hash=sha256:abc'],
    ['./pkg.whl -f https://x', 'local package artifact requirements do not support inline options or hashes: ./pkg.whl -f https://x'],
    ['./pkg.whl; python_version > "3.10"', 'environment markers are not supported on local package artifact requirements: ./pkg.whl; python_version > "3.10"'],
    ['./pkg.whl[extra]', 'extras are not supported on local package artifact requirements: ./pkg.whl[extra]'],
    ['./pkg', 'local package requirement "./pkg" is not a supported wheel or source archive'],
  ])('%s is refused', (line, message) => {
    expect(classifyLocalArtifact(line)).toEqual({ kind: 'invalid', message });
  });
});

describe('planLocalArtifacts', () => {
  let root: string;
  let project: string;
  beforeEach(() => {
    root = realpathSync(mkdtempSync(path.join(tmpdir(), 'cogpack-artifacts-')));
    project = path.join(root, 'project');
    mkdirSync(path.join(project, 'dist'), { recursive: true });
    mkdirSync(path.join(project, 'deps', 'nested'), { recursive: true });
    writeFileSync(path.join(project, 'dist', 'pkg-1.0-py3-none-any.whl'), 'wheel');
    writeFileSync(path.join(project, 'deps', 'nested', 'other-2.0.tar.gz'), 'sdist');
    writeFileSync(path.join(root, 'outside-1.0-py3-none-any.whl'), 'wheel');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('plans staging, rewrites the lines to the container path and dedupes staged files', () => {
    const plan = planLocalArtifacts(['numpy', './dist/pkg-1.0-py3-none-any.whl', 'deps/nested/other-2.0.tar.gz', 'dist/pkg-1.0-py3-none-any.whl'], {
      requirementsDir: project,
      projectDir: project,
    });
    expect(plan.lines).toEqual([
      'numpy',
      '/tmp/local_package_artifacts/dist/pkg-1.0-py3-none-any.whl',
      '/tmp/local_package_artifacts/deps/nested/other-2.0.tar.gz',
      '/tmp/local_package_artifacts/dist/pkg-1.0-py3-none-any.whl',
    ]);
    expect(plan.artifacts).toEqual([
      {
        line: './dist/pkg-1.0-py3-none-any.whl',
        source: path.join(project, 'dist', 'pkg-1.0-py3-none-any.whl'),
        stagedAs: 'dist/pkg-1.0-py3-none-any.whl',
        containerPath: '/tmp/local_package_artifacts/dist/pkg-1.0-py3-none-any.whl',
      },
      {
        line: 'deps/nested/other-2.0.tar.gz',
        source: path.join(project, 'deps', 'nested', 'other-2.0.tar.gz'),
        stagedAs: 'deps/nested/other-2.0.tar.gz',
        containerPath: '/tmp/local_package_artifacts/deps/nested/other-2.0.tar.gz',
      },
    ]);
  });

  it('resolves relative paths against the requirements file’s directory', () => {
    const plan = planLocalArtifacts(['nested/other-2.0.tar.gz', '../dist/pkg-1.0-py3-none-any.whl'], {
      requirementsDir: path.join(project, 'deps'),
      projectDir: project,
    });
    expect(plan.artifacts.map((a) => a.stagedAs)).toEqual(['deps/nested/other-2.0.tar.gz', 'dist/pkg-1.0-py3-none-any.whl']);
  });

  it('reports every problem at once: missing, outside the project (also through a symlink), not a file, refused forms', () => {
    mkdirSync(path.join(project, 'adir.whl'));
    symlinkSync(path.join(root, 'outside-1.0-py3-none-any.whl'), path.join(project, 'link-1.0-py3-none-any.whl'));
    let error: unknown;
    try {
      planLocalArtifacts(
        ['./missing-1.0.whl', '../outside-1.0-py3-none-any.whl', './link-1.0-py3-none-any.whl', './adir.whl', 'file:///x.whl'],
        { requirementsDir: project, projectDir: project },
      );
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UserError);
    const message = (error as UserError).message;
    expect(message).toMatch(/^5 problems with local packages in requirements:\n/);
    expect(message).toContain(`local package artifact "./missing-1.0.whl" does not exist (looked for ${path.join(project, 'missing-1.0.whl')})`);
    expect(message).toContain(`local package artifact "../outside-1.0-py3-none-any.whl" is outside the project directory ${project}`);
    expect(message).toContain(`local package artifact "./link-1.0-py3-none-any.whl" is outside the project directory ${project}`);
    expect(message).toContain('local package artifact "./adir.whl" is not a regular file');
    expect(message).toContain('local file URL requirements are not supported: file:///x.whl');
  });

  it('throws the single message as is when there is one problem', () => {
    expect(() => planLocalArtifacts(['./pkg'], { requirementsDir: project, projectDir: project })).toThrow(
      'local package requirement "./pkg" is not a supported wheel or source archive',
    );
  });

  it('accepts a symlink that stays inside the project, keeping the name as written', () => {
    symlinkSync(path.join(project, 'dist', 'pkg-1.0-py3-none-any.whl'), path.join(project, 'alias-1.0-py3-none-any.whl'));
    const plan = planLocalArtifacts(['./alias-1.0-py3-none-any.whl'], { requirementsDir: project, projectDir: project });
    expect(plan.artifacts[0]).toMatchObject({
      source: path.join(project, 'dist', 'pkg-1.0-py3-none-any.whl'),
      stagedAs: 'alias-1.0-py3-none-any.whl',
    });
  });
});
