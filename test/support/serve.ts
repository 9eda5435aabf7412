import { request } from 'undici';
import type { DockerCli } from '../../src/docker/process.js';
import { removeContainer, startContainer } from '../../src/predict/container.js';
import { waitUntilReady } from '../../src/predict/health.js';

export interface PredictionResponse {
  status: string;
  output?: unknown;
  error?: string | null;
  logs?: string;
}

/**
 * Starts a container from `image`, waits for the real runtime to be READY, POSTs one prediction
 * and removes the container whatever happens.
 */
export async function predictOnce(docker: DockerCli, image: string, input: Record<string, unknown>, runArgs: string[] = []): Promise<PredictionResponse> {
  const container = await startContainer(docker, { image, runArgs });
  try {
    await waitUntilReady(container.port, { timeoutMs: 120_000 });
    const response = await request(`http://127.0.0.1:${container.port}/predictions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input }),
    });
    return (await response.body.json()) as PredictionResponse;
  } finally {
    await removeContainer(docker, container.id);
  }
}

/**
 * Whether `needle` occurs anywhere in the `docker save` stream of an image. The stream holds
 * every layer (uncompressed tars), the config and the history, so this searches all of them,
 * in bounded memory.
 */
export async function imageContainsBytes(docker: DockerCli, image: string, needle: string): Promise<boolean> {
  const { execa } = await import('execa');
  const target = Buffer.from(needle);
  const child = execa(docker.binary, ['save', image], { buffer: false, stdin: 'ignore', stderr: 'ignore' });
  let carry = Buffer.alloc(0);
  let found = false;
  for await (const chunk of child.stdout!) {
    const window = Buffer.concat([carry, chunk as Buffer]);
    if (window.includes(target)) found = true;
    carry = window.subarray(Math.max(0, window.length - target.length + 1));
  }
  await child;
  return found;
}
