import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { ConfigError, formatConfigIssue } from '../../../src/errors.js';
import { fixturesDir } from '../../support/paths.js';

// Each fixture is a folder: cog.yaml, plus expected.txt (invalid: the exact error lines) or
// expected-warnings.txt and config.json (valid: the warnings, and the normalised config).
const configsDir = path.join(fixturesDir, 'configs');
const testDir = path.dirname(fileURLToPath(import.meta.url));
const fixturesOf = (kind: string) => readdirSync(path.join(configsDir, kind)).sort();
const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter((line) => line !== '');

describe('invalid cog.yaml fixtures', () => {
  it('has a broad set of them', () => {
    expect(fixturesOf('invalid').length).toBeGreaterThanOrEqual(40);
  });

  it.each(fixturesOf('invalid'))('%s', (name) => {
    const dir = path.join(configsDir, 'invalid', name);
    let error: unknown;
    try {
      loadConfig({ file: path.join(dir, 'cog.yaml') });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    // An issue is its located sentence, and its hint on the next line.
    const issues = (error as ConfigError).issues.flatMap((issue) => formatConfigIssue(issue).split('\n'));
    expect(issues).toEqual(lines(path.join(dir, 'expected.txt')));
    for (const issue of issues) expect((error as ConfigError).message).toContain(issue);
  });
});

describe('valid cog.yaml fixtures', () => {
  it.each(fixturesOf('valid'))('%s', async (name) => {
    const dir = path.join(configsDir, 'valid', name);
    const { config, warnings } = loadConfig({ file: path.join(dir, 'cog.yaml') });
    const warningsFile = path.join(dir, 'expected-warnings.txt');
    expect(warnings.flatMap((warning) => warning.split('\n'))).toEqual(existsSync(warningsFile) ? lines(warningsFile) : []);
    const portable = JSON.stringify(config, null, 2).replaceAll(dir, '<project>');
    await expect(`${portable}\n`).toMatchFileSnapshot(path.relative(testDir, path.join(dir, 'config.json')));
  });
});
