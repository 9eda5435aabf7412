import { UserError } from '../errors.js';
import { probe } from './health.js';
import type { RunMode } from './schema.js';
import { readServerSentEvents } from './sse.js';

/** The runtime's answer (predict.md §2.5); coglet never returns input, version or timestamps. */
export interface PredictionResponse {
  id?: string;
  status: string;
  output?: unknown;
  error?: string | null;
  logs?: string;
  metrics?: Record<string, unknown>;
}

export interface PredictOptions {
  /** The runtime's host port on 127.0.0.1. */
  port: number;
  mode: RunMode;
  /** Our own id, so the prediction can be cancelled by name. */
  id: string;
  input: Record<string, unknown>;
  /** The request `context` (`--use-replicate-token`). Default `{}`. */
  context?: Record<string, string>;
  /** Ask for server-sent events (only for models with `@cog.streaming`). Default false: one JSON answer. */
  stream?: boolean;
  /** Each output chunk as the model yields it (streams only). */
  onOutput?: (chunk: unknown, index: number) => void | Promise<void>;
  /** Each log line of the prediction as it is written (streams only). */
  onLog?: (source: string, text: string) => void;
  /** The command the user ran (`run`, `predict`, `train`), for hints. Default `run`. */
  commandName?: string;
  /** Aborting cancels the prediction in the runtime (`POST …/cancel`) before the promise rejects. */
  signal?: AbortSignal;
}

const endpointOf = (mode: RunMode) => (mode === 'train' ? 'trainings' : 'predictions');

/**
 * Runs one prediction and returns the final state. A model failure is a normal answer
 * (`status: failed`); the runtime refusing the request (422, 409, 503) is an error.
 */
export async function createPrediction(options: PredictOptions): Promise<PredictionResponse> {
  const endpoint = endpointOf(options.mode);
  const body = JSON.stringify({ id: options.id, input: options.input, context: options.context ?? {} });
  const { request } = await import('undici');
  try {
    const response = await request(`http://127.0.0.1:${options.port}/${endpoint}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(options.stream ? { accept: 'text/event-stream' } : {}) },
      body,
      signal: options.signal,
      // A prediction takes as long as it takes; undici's 300 s defaults would cut long ones off.
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    if (response.statusCode !== 200) {
      const text = await response.body.text();
      throw refusal(response.statusCode, text, endpoint, options.commandName ?? 'run');
    }
    if (!options.stream) return (await response.body.json()) as PredictionResponse;
    return await readStream(response.body, options);
  } catch (error) {
    if (options.signal?.aborted) {
      // A closed connection cancels a sync prediction too; asking by id also covers a runtime that
      // has not noticed yet. Then a moment for the model to stop (its `except CancelationException`
      // runs) before the container is removed.
      await cancelPrediction(options.port, options.mode, options.id);
      await waitUntilIdle(options.port, cancelGraceMs);
    }
    throw error;
  }
}

async function readStream(body: AsyncIterable<Uint8Array>, options: PredictOptions): Promise<PredictionResponse> {
  for await (const event of readServerSentEvents(body)) {
    const data = parseJson(event.data);
    if (event.event === 'output' && isRecord(data)) await options.onOutput?.(data.chunk, Number(data.index ?? 0));
    else if (event.event === 'log' && isRecord(data)) options.onLog?.(String(data.source ?? 'stdout'), String(data.data ?? ''));
    else if (event.event === 'completed' && isRecord(data)) return data as unknown as PredictionResponse;
    else if (event.event === 'error') throw new UserError(`Failed to run prediction: ${isRecord(data) ? String(data.error) : event.data}`);
  }
  throw new UserError('Failed to run prediction: the runtime closed the event stream before the prediction completed');
}

/** How long a cancelled prediction gets to wind down before its container is removed. */
const cancelGraceMs = 3000;

/** Waits (bounded) until the runtime no longer reports BUSY: the cancelled prediction has ended. */
async function waitUntilIdle(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const health = await probe(port);
    if (health?.status !== 'BUSY') return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Best effort, bounded: the container is about to be removed anyway. */
export async function cancelPrediction(port: number, mode: RunMode, id: string): Promise<void> {
  try {
    const { request } = await import('undici');
    const response = await request(`http://127.0.0.1:${port}/${endpointOf(mode)}/${encodeURIComponent(id)}/cancel`, {
      method: 'POST',
      headersTimeout: 2000,
      bodyTimeout: 2000,
      signal: AbortSignal.timeout(3000),
    });
    await response.body.dump();
  } catch {
    // Gone already, or not answering: removal follows.
  }
}

/** Fetches `/openapi.json` from the running container, for images whose label has no usable schema. */
export async function fetchSchema(port: number): Promise<Record<string, unknown> | undefined> {
  try {
    const { request } = await import('undici');
    const response = await request(`http://127.0.0.1:${port}/openapi.json`, { headersTimeout: 5000, bodyTimeout: 5000 });
    const text = await response.body.text();
    const parsed = response.statusCode === 200 ? parseJson(text) : undefined;
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The runtime's refusals in upstream's words (predict.md §1.7). */
export function refusal(status: number, text: string, endpoint: string, commandName: string): UserError {
  const body = parseJson(text);
  const detail = isRecord(body) && Array.isArray(body.detail) ? body.detail : undefined;
  if (status === 422 && detail) {
    const lines: string[] = [];
    for (const entry of detail) {
      const loc = isRecord(entry) && Array.isArray(entry.loc) ? entry.loc.map(String) : [];
      if (loc.length !== 3 || loc[0] !== 'body' || loc[1] !== 'input') {
        return new UserError(`Failed to run prediction: /${endpoint} call returned status 422, and there was an unexpected message in response:\n\n${JSON.stringify(body, null, 2)}`);
      }
      lines.push(`- ${loc[2]}: ${isRecord(entry) ? String(entry.msg) : ''}`);
    }
    return new UserError(
      `Failed to run prediction: The inputs you passed could not be validated:\n\n${lines.join('\n')}\n\n` +
        `You can provide an input with -i. For example:\n\n    cog ${commandName} -i blur=3.5\n\n` +
        `If your input is a local file, you need to prefix the path with @ to tell Cog to read the file contents. For example:\n\n    cog ${commandName} -i path=@image.jpg`,
    );
  }
  const reason = isRecord(body) && typeof body.error === 'string' ? `: ${body.error}` : '';
  return new UserError(`Failed to run prediction: /${endpoint} call returned status ${status}${reason}`);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
