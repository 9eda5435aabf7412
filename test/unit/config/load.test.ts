import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { ConfigError } from '../../../src/errors.js';
import { fixture } from '../../support/paths.js';

const file = '/project/cog.yaml';
const load = (text: string) => loadConfig({ file, text });

function issuesOf(text: string) {
  try {
    load(text);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('loads the hello-world fixture', () => {
    const { config, warnings } = loadConfig({ file: path.join(fixture('hello-world'), 'cog.yaml') });
    expect(config.build.pythonVersion).toBe('3.11');
    expect(config.build.pythonRequirements).toBe(path.join(fixture('hello-world'), 'requirements.txt'));
    expect(config.predict).toBe('predict.py:Predictor');
    expect(warnings).toEqual(['deprecated field "predict": use "run" instead']);
  });

  it('keeps the written text of a version: 3.10 is not 3.1', () => {
    expect(load('build:\n  python_version: 3.10\n').config.build.pythonVersion).toBe('3.10');
  });

  it('reads the new top-level run: as the predictor, without a warning', () => {
    const { config, warnings } = load('build:\n  python_version: "3.13"\nrun: run.py:Runner\n');
    expect(config.predict).toBe('run.py:Runner');
    expect(warnings).toEqual([]);
  });

  it('points a YAML syntax error at its line', () => {
    const [issue] = issuesOf('build:\n  python_version: "3.12"\n  system_packages: [ffmpeg\n');
    expect(issue).toMatchObject({ file: 'cog.yaml', line: 4 });
    expect(issue?.message).toMatch(/^invalid YAML: /);
  });

  it('locates a missing python_version at the build section', () => {
    const [issue] = issuesOf('# comment\nbuild:\n  gpu: false\n');
    expect(issue).toMatchObject({ line: 3, path: 'build.python_version' });
    expect(issue?.message).toContain('python_version is required');
  });

  it('rejects Python older than 3.10 at the value', () => {
    expect(issuesOf('build:\n  python_version: "3.8"\n')).toEqual([
      { file: 'cog.yaml', line: 2, column: 19, path: 'build.python_version', message: 'minimum supported Python version is 3.10' },
    ]);
  });

  it('reports a wrong type at the offending key path', () => {
    const [issue] = issuesOf('build:\n  python_version: "3.12"\n  system_packages: ffmpeg\n');
    expect(issue).toMatchObject({ line: 3, column: 20, path: 'build.system_packages', message: 'must be a list' });
  });

  it('reports every semantic error at once', () => {
    const issues = issuesOf('build:\n  python_version: "3"\nrun: run.py:Runner\npredict: predict.py:Predictor\nenvironment:\n  - "no equals"\n');
    expect(issues.map((i) => i.path)).toEqual(['run', 'build.python_version', 'environment[0]']);
  });

  it('requires the requirements file to exist', () => {
    const [issue] = issuesOf('build:\n  python_version: "3.12"\n  python_requirements: nope.txt\n');
    expect(issue).toMatchObject({ path: 'build.python_requirements', message: 'file does not exist: nope.txt' });
  });

  it('formats a ConfigError as file:line:col path: message', () => {
    expect(() => load('build:\n  python_version: "2.7"\n')).toThrow(
      'cog.yaml:2:19 build.python_version: minimum supported Python version is 3.10',
    );
  });
});
