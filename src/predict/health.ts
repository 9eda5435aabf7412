import { UserError } from '../errors.js';

/** What `GET /health-check` of the Cog runtime answers (predict.md §2.3). */
export interface HealthCheck {
  status: 'STARTING' | 'READY' | 'BUSY' | 'SETUP_FAILED' | 'DEFUNCT' | 'UNHEALTHY' | 'UNKNOWN' | string;
  setup?: { status?: string; logs?: string };
  version?: Record<string, string>;
  user_healthcheck_error?: string;
}

export interface WaitOptions {
  /** Give up after this long. */
  timeoutMs: number;
  /** Pause between polls. Default 25 ms: the runtime is often ready within a few hundred, and a probe costs little. */
  intervalMs?: number;
  signal?: AbortSignal;
  /**
   * Asked when the runtime does not answer: whether the container is still there to wait for.
   * Default: always yes.
   */
  containerRunning?: () => Promise<boolean>;
}

/** `setup()` raised (or the worker could not start): the runtime's own account is in `logs`. */
export class SetupFailedError extends UserError {
  readonly logs: string;

  /** `traceback`: Python's, when setup() was run again to get it (see setup-traceback.ts). */
  constructor(logs: string, traceback?: string) {
    super(`Model setup failed${logs ? `: ${conciseSetupError(logs)}` : ''}${traceback ? `\n\n${traceback}` : ''}`);
    this.name = 'SetupFailedError';
    this.logs = logs;
  }
}

/**
 * coglet nests its account (`worker setup failed: worker setup failed (slot …): Setup failed: setup
 * failed: RuntimeError: …`): the part after the last "setup failed: " is the model's own error.
 */
function conciseSetupError(logs: string): string {
  const text = logs.trimEnd();
  const at = text.toLowerCase().lastIndexOf('setup failed: ');
  return at >= 0 && !text.slice(0, at).includes('\n') ? text.slice(at + 'setup failed: '.length) : `\n${text}`;
}

/** Per-request deadline: a runtime that is still starting may accept and then sit. */
const probeTimeoutMs = 1000;

/**
 * Polls `/health-check` until the runtime is READY and returns its answer. Fails on SETUP_FAILED
 * (with the setup logs), on a status that can never become READY, when the container is gone, and
 * when the deadline passes. Connection errors and non-200 answers mean "not up yet".
 */
export async function waitUntilReady(port: number, options: WaitOptions): Promise<HealthCheck> {
  const deadline = Date.now() + options.timeoutMs;
  let last: HealthCheck | undefined;
  while (Date.now() < deadline) {
    options.signal?.throwIfAborted();
    last = await probe(port, options.signal);
    if (last?.status === 'READY' || last?.status === 'BUSY') return last;
    if (last?.status === 'SETUP_FAILED') throw new SetupFailedError(last.setup?.logs ?? '');
    if (last && last.status !== 'STARTING' && last.status !== 'UNHEALTHY') {
      throw new UserError(`Container healthcheck returned unexpected status: ${last.status}`);
    }
    if (!last && options.containerRunning && !(await options.containerRunning())) {
      throw new UserError('Container exited unexpectedly', { hint: 'its logs are above; run with --debug for more of them' });
    }
    await sleep(options.intervalMs ?? 25, options.signal);
  }
  throw new UserError(`the model was not ready after ${Math.round(options.timeoutMs / 1000)} s (last status: ${last?.status ?? 'no answer'})`, {
    hint: 'raise --setup-timeout if setup() is slow',
  });
}

/** One health check; undefined when the runtime does not answer yet. */
export async function probe(port: number, signal?: AbortSignal): Promise<HealthCheck | undefined> {
  try {
    const { request } = await import('undici');
    const response = await request(`http://127.0.0.1:${port}/health-check`, {
      headersTimeout: probeTimeoutMs,
      bodyTimeout: probeTimeoutMs,
      signal,
    });
    const text = await response.body.text();
    return response.statusCode === 200 ? (JSON.parse(text) as HealthCheck) : undefined;
  } catch {
    return undefined;
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
