import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCog } from '../support/cli-process.js';
import { fixture } from '../support/paths.js';
import { requireTestbed } from '../support/testbed.js';

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cogpack-doctor-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

describe('cog doctor [engine]', () => {
  beforeAll(async () => {
    await requireTestbed();
  });

  it('passes on a sound project with a running engine', async () => {
    const result = await runCog(['doctor'], { cwd: fixture('hello-world') });
    expect(result.stderr).toContain('✓ Docker: Docker engine');
    expect(result.stderr).toContain('✓ BuildKit: BuildKit route:');
    expect(result.stderr).toMatch(/^no issues found/m);
    expect(result.exitCode).toBe(0);
  });

  it('with no engine: prints the fix and exits non-zero', async () => {
    const result = await runCog(['doctor'], { cwd: fixture('hello-world'), env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
    expect(result.stderr).toContain('✗ Docker: cannot reach the Docker engine');
    expect(result.stderr).toContain('Remediation: start Docker (or dockerd), or point DOCKER_HOST at a running engine');
    expect(result.exitCode).not.toBe(0);
  });

  // Upstream's own doctor tests (doctor_exit_code, doctor_fix_shows_remediation, doctor_fix_pydantic),
  // run as they are written: the same projects, the same greps on stderr, the same exit codes.
  it('a missing predict.py: exit 1, and its remediation even with --fix', async () => {
    const dir = project({ 'cog.yaml': 'build:\n  python_version: "3.12"\npredict: "predict.py:Predictor"\n' });
    for (const argv of [['doctor'], ['doctor', '--fix']]) {
      const result = await runCog(argv, { cwd: dir });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain('predict.py not found');
      expect(result.stderr).toContain('Remediation: Create predict.py or update the predict field in cog.yaml');
      expect(result.stderr).not.toContain('(no auto-fix available)');
    }
  });

  it('the pydantic BaseModel workaround: found, fixed with --fix, then no issues', async () => {
    const predictor = readFileSync(fixture('upstream-examples/pydantic-basemodel/predict.py'), 'utf8');
    const dir = project({ 'cog.yaml': 'build:\n  python_version: "3.12"\nrun: "predict.py:Predictor"\n', 'predict.py': predictor });
    const found = await runCog(['doctor'], { cwd: dir });
    expect(found.exitCode).toBe(1);
    expect(found.stderr).toContain('pydantic.BaseModel');
    expect(found.stderr).toContain('cog.BaseModel');
    const fixed = await runCog(['doctor', '--fix'], { cwd: dir });
    expect(fixed.stderr).toContain('Fixed');
    const source = readFileSync(path.join(dir, 'predict.py'), 'utf8');
    expect(source).toContain('from cog import BasePredictor, Path, BaseModel');
    expect(source).not.toMatch(/from pydantic import BaseModel|ConfigDict|arbitrary_types_allowed/);
    const after = await runCog(['doctor'], { cwd: dir });
    expect(after.exitCode, after.stderr).toBe(0);
    expect(after.stderr).toContain('no issues found');
  });
});
