import { beforeAll, describe, expect, it } from 'vitest';
import { runCog } from '../support/cli-process.js';
import { fixture } from '../support/paths.js';
import { requireTestbed } from '../support/testbed.js';

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
});
