import { request } from 'undici';
import { requireEngine } from '../../src/docker/engine.js';
import { createDockerCli, type DockerCli } from '../../src/docker/process.js';

export interface Testbed {
  docker: DockerCli;
  /** host:port of the loopback registry. */
  registry: string;
}

/**
 * The real test bed, or a failure that says how to get it. Integration tests never skip: a
 * missing engine or registry fails them, in CI and on a laptop alike (scripts/test.sh starts both).
 */
export async function requireTestbed(): Promise<Testbed> {
  const docker = createDockerCli();
  const howToFix = 'start the test bed: `source <(scripts/testbed.sh --env)`, or run the whole suite with `bash scripts/test.sh`';
  try {
    await requireEngine(docker);
  } catch (error) {
    throw new Error(`integration tests need a Docker engine (${(error as Error).message}); ${howToFix}`);
  }
  const registry = process.env.COGPACK_TEST_REGISTRY;
  if (!registry) throw new Error(`COGPACK_TEST_REGISTRY is not set; ${howToFix}`);
  const answer = await request(`http://${registry}/v2/`).catch((error: unknown) => error as Error);
  if (answer instanceof Error || answer.statusCode !== 200) {
    throw new Error(`the registry at ${registry} does not answer /v2/; ${howToFix}`);
  }
  await answer.body.dump();
  return { docker, registry };
}

/** Containers currently known to the engine (running or not), for leak checks. */
export async function containerIds(docker: DockerCli): Promise<string[]> {
  const result = await docker.run(['ps', '--all', '--quiet', '--no-trunc']);
  return result.stdout.split('\n').filter(Boolean).sort();
}

/** A per-run suffix so parallel or repeated runs never share image names. */
export const runId = `${process.pid}-${Date.now().toString(36)}`;
