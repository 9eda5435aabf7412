import { request } from 'undici';
import { UserError } from '../errors.js';

/** What `GET /health-check` of the Cog runtime answers (spec predict.md §4). */
export interface HealthCheck {
  status: 'STARTING' | 'READY' | 'BUSY' | 'SETUP_FAILED' | 'DEFUNCT' | 'UNHEALTHY' | string;
  setup?: { status?: string; logs?: string };
}

export interface WaitOptions {
  /** Give up after this long. */
  timeoutMs: number;
  /** Pause between polls. Default 100 ms. */
  intervalMs?: number;
  signal?: AbortSignal;
}

/** Per-request deadline: a runtime that is still starting may accept and then sit. */
const probeTimeoutMs = 1000;

/**
 * Polls `/health-check` until the runtime is READY (or BUSY) and returns its answer. Fails on
 * SETUP_FAILED (with the setup logs) and when the deadline passes. Connection errors and
 * non-200 answers mean "not up yet".
 */
export async function waitUntilReady(port: number, options: WaitOptions): Promise<HealthCheck> {
  const deadline = Date.now() + options.timeoutMs;
  let last: HealthCheck | undefined;
  while (Date.now() < deadline) {
    options.signal?.throwIfAborted();
    last = await probe(port);
    if (last?.status === 'READY' || last?.status === 'BUSY') return last;
    if (last?.status === 'SETUP_FAILED') {
      throw new UserError(`Model setup failed${last.setup?.logs ? `:\n${last.setup.logs.trimEnd()}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
  }
  throw new UserError(`the model was not ready after ${Math.round(options.timeoutMs / 1000)} s (last status: ${last?.status ?? 'no answer'})`, {
    hint: 'raise --setup-timeout if setup() is slow',
  });
}

async function probe(port: number): Promise<HealthCheck | undefined> {
  try {
    const response = await request(`http://127.0.0.1:${port}/health-check`, {
      headersTimeout: probeTimeoutMs,
      bodyTimeout: probeTimeoutMs,
    });
    const text = await response.body.text();
    return response.statusCode === 200 ? (JSON.parse(text) as HealthCheck) : undefined;
  } catch {
    return undefined;
  }
}
