import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../../src/config/load.js';
import { generateSchemaJson } from '../../../src/schema/index.js';
import { initProject } from '../../../src/workflows/init.js';

const fresh = () => mkdtempSync(path.join(tmpdir(), 'cogpack-init-'));

describe('cog init', () => {
  it('writes a project whose cog.yaml is valid and whose runner has a schema', async () => {
    const dir = fresh();
    const result = initProject({ cwd: dir });
    expect(result.written.sort()).toEqual(['.dockerignore', '.github/workflows/push.yaml', 'cog.yaml', 'requirements.txt', 'run.py'].sort());
    const { config, warnings } = loadConfig({ file: path.join(dir, 'cog.yaml') });
    expect(warnings).toEqual([]);
    expect(config).toMatchObject({ predict: 'run.py:Runner', build: { pythonVersion: '3.13', gpu: false } });
    const { document } = await generateSchemaJson({ projectDir: dir, predict: config.predict });
    expect(Object.keys((document.components as { schemas: { Input: { properties: object } } }).schemas.Input.properties)).toEqual(['image', 'scale']);
  });

  it('writes a GitHub Actions workflow that installs cogpack and pushes', () => {
    const dir = fresh();
    initProject({ cwd: dir });
    const workflow = parse(readFileSync(path.join(dir, '.github/workflows/push.yaml'), 'utf8')) as {
      on: Record<string, unknown>;
      jobs: Record<string, { 'runs-on': string; steps: Array<{ run?: string; uses?: string }> }>;
    };
    expect(Object.keys(workflow.on)).toEqual(['workflow_dispatch']);
    const steps = workflow.jobs.push!.steps;
    expect(workflow.jobs.push!['runs-on']).toBe('ubuntu-latest');
    expect(steps.some((s) => s.run?.includes('npm install --global cogpack'))).toBe(true);
    expect(steps.some((s) => s.run?.includes('cog login') && s.run.includes('--password-stdin'))).toBe(true);
    expect(steps.at(-1)?.run).toContain('cog push');
  });

  it('never overwrites a file', () => {
    const dir = fresh();
    writeFileSync(path.join(dir, 'cog.yaml'), 'mine\n');
    const result = initProject({ cwd: dir });
    expect(result.skipped).toEqual(['cog.yaml']);
    expect(readFileSync(path.join(dir, 'cog.yaml'), 'utf8')).toBe('mine\n');
    expect(existsSync(path.join(dir, 'run.py'))).toBe(true);
  });
});
