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
    expect(result.stdout).toContain('✓ env-docker: Docker engine');
    expect(result.stdout).toContain('✓ env-buildkit: BuildKit route:');
    expect(result.exitCode).toBe(0);
  });

  it('with no engine: prints the fix and exits non-zero', async () => {
    const result = await runCog(['doctor'], { cwd: fixture('hello-world'), env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
    expect(result.stdout).toContain('✗ env-docker: cannot reach the Docker engine');
    expect(result.stdout).toContain('fix: start Docker (or dockerd), or point DOCKER_HOST at a running engine');
    expect(result.exitCode).not.toBe(0);
  });
});
