import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { RetryPolicy, isConnectionError, isRetryableNetworkError, isRetryableStatus, type RetryOptions } from './retry-policy.js';
import { RegistryNetworkError, RegistryResponseError, describeNetworkError, parseOciErrors } from './registry-errors.js';
import type { RequestRecord } from './types.js';
import { redactUrl, requestPath, resolveLocation } from './urls.js';

/**
 * The bottom layer of the registry client (style.md, "Processes and HTTP"): one HTTP exchange at a
 * time over undici, with timeouts, bounded retries, manual redirects and a record of every request.
 * It knows nothing of auth or of the distribution protocol; the layers above do.
 */

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A body produced anew for each attempt (a retry, a 307), or a one-shot stream. */
export interface BodySource {
  open(): Readable;
  /** Whether `open()` may be called again. A one-shot body gets one attempt and no redirect. */
  replayable: boolean;
}

export type RequestBody = Uint8Array | string | BodySource;

export interface TransportRequest {
  method: HttpMethod;
  /** Absolute URL of the request. */
  url: URL | string;
  /** Header names in lower case; undefined values are left out. */
  headers?: Record<string, string | undefined>;
  /** No body by default. A one-shot `BodySource` gets one attempt and follows no 307/308. */
  body?: RequestBody;
  /** Attempts for this request; 1 when the caller handles faults itself. Default: the policy's. */
  attempts?: number;
  /** Cancels the request and any wait before a retry. */
  signal?: AbortSignal | undefined;
  /** Largest response body kept in memory, bytes; the rest is discarded. Default 4 MiB. */
  maxResponseBytes?: number;
}

export interface TransportResponse {
  method: HttpMethod;
  /** The URL that answered (after redirects). */
  url: URL;
  status: number;
  headers: IncomingHttpHeaders;
  /** The response body (HEAD: empty), at most `maxResponseBytes`. */
  body: Buffer;
  /** Attempts made, the answering one included. */
  attempts: number;
  /** First value of a header, by lower-case name. */
  header(name: string): string | undefined;
}

export interface TimeoutOptions {
  /** Establishing a connection (TCP and TLS), ms. Default 10 000. */
  connectMs?: number;
  /**
   * Waiting for the response headers, ms. Default 60 000. undici re-arms this timer whenever the
   * socket drains while a body is sent, so it also catches a registry that stops reading a body.
   */
  headersMs?: number;
  /** Silence between two pieces of a response body, ms. Default 60 000. */
  bodyIdleMs?: number;
}

export interface TransportOptions {
  timeouts?: TimeoutOptions;
  retry?: RetryOptions;
  /** Called once per HTTP exchange (each attempt and each redirect hop), for --debug. */
  onRequest?: (record: RequestRecord) => void;
  /** An undici dispatcher to use instead of the transport's own agent. */
  dispatcher?: Dispatcher;
  /** Redirects followed per request. Default 5. */
  maxRedirects?: number;
}

const redirectStatuses = new Set([301, 302, 303, 307, 308]);
const defaultMaxResponseBytes = 4 * 1024 * 1024;

type Undici = typeof import('undici');
let undiciModule: Promise<Undici> | undefined;
// Loaded on first use: a command that never reaches a registry does not pay for undici.
const loadUndici = (): Promise<Undici> => (undiciModule ??= import('undici'));

export class Transport {
  readonly retryPolicy: RetryPolicy;
  private readonly timeouts: Required<TimeoutOptions>;
  private readonly onRequest: ((record: RequestRecord) => void) | undefined;
  private readonly maxRedirects: number;
  private dispatcher: Dispatcher | undefined;
  private readonly ownsDispatcher: boolean;

  constructor(options: TransportOptions = {}) {
    this.retryPolicy = new RetryPolicy(options.retry);
    this.timeouts = {
      connectMs: options.timeouts?.connectMs ?? 10_000,
      headersMs: options.timeouts?.headersMs ?? 60_000,
      bodyIdleMs: options.timeouts?.bodyIdleMs ?? 60_000,
    };
    this.onRequest = options.onRequest;
    this.maxRedirects = options.maxRedirects ?? 5;
    this.dispatcher = options.dispatcher;
    this.ownsDispatcher = options.dispatcher === undefined;
  }

  /**
   * Sends a request, retrying 408, 429, 5xx and network failures with backoff while attempts and
   * the body allow. Returns whatever the registry answered last: the caller judges the status
   * (see `expectStatus`). Throws `RegistryNetworkError` when no answer came; any other error (a
   * failing body stream, a bug) passes unchanged.
   */
  async send(request: TransportRequest): Promise<TransportResponse> {
    const replayable = isReplayable(request.body);
    const attempts = replayable ? (request.attempts ?? this.retryPolicy.attempts) : 1;
    for (let attempt = 1; ; attempt++) {
      let response: TransportResponse;
      try {
        response = await this.followRedirects(request, attempt);
      } catch (error) {
        if (request.signal?.aborted) throw request.signal.reason ?? error;
        if (!isConnectionError(error)) throw error;
        const url = new URL(request.url);
        const failure = new RegistryNetworkError({ host: url.host, method: request.method, path: requestPath(url), attempts: attempt, cause: error });
        if (!isRetryableNetworkError(error) || attempt >= attempts) throw failure;
        await this.retryPolicy.wait(this.retryPolicy.delayAfter(attempt), request.signal);
        continue;
      }
      if (!isRetryableStatus(response.status) || attempt >= attempts) return response;
      await this.retryPolicy.wait(this.retryPolicy.delayAfter(attempt, response.header('retry-after')), request.signal);
    }
  }

  /** Closes the transport's own connections. */
  async close(): Promise<void> {
    if (this.ownsDispatcher && this.dispatcher) await this.dispatcher.close();
    this.dispatcher = undefined;
  }

  private async followRedirects(request: TransportRequest, attempt: number): Promise<TransportResponse> {
    const origin = new URL(request.url).origin;
    let url = new URL(request.url);
    let method = request.method;
    let body = request.body;
    const headers = { ...request.headers };
    for (let hop = 0; ; hop++) {
      const response = await this.exchange({ ...request, method, url, headers, body }, attempt);
      const location = response.header('location');
      if (!redirectStatuses.has(response.status) || !location || hop >= this.maxRedirects) return response;
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
        delete headers['content-type'];
        delete headers['content-length'];
      } else if (body !== undefined && !isReplayable(body)) {
        return response;
      }
      const next = resolveLocation(url, location);
      // Credentials belong to the registry's origin. A registry that redirects to blob storage
      // (S3, GCS, a CDN) hands out a presigned URL: the Authorization header must not follow it,
      // nor come back if a later hop returns to the registry.
      if (next.origin !== origin) delete headers.authorization;
      url = next;
    }
  }

  private async exchange(request: TransportRequest & { url: URL }, attempt: number): Promise<TransportResponse> {
    const undici = await loadUndici();
    this.dispatcher ??= new undici.Agent({
      connectTimeout: this.timeouts.connectMs,
      headersTimeout: this.timeouts.headersMs,
      bodyTimeout: this.timeouts.bodyIdleMs,
      // HTTP/1.1 only, as upstream Cog forces it: long uploads over HTTP/2 through CDN edges hit
      // head-of-line blocking and RST_STREAM errors; several HTTP/1.1 connections do better.
      allowH2: false,
    });
    const started = performance.now();
    const record = (status: number | 'error', error?: unknown): void => {
      this.onRequest?.({
        method: request.method,
        url: redactUrl(request.url),
        status,
        attempt,
        ms: Math.round(performance.now() - started),
        ...(error === undefined ? {} : { error: describeNetworkError(error) }),
      });
    };
    let answer: Dispatcher.ResponseData;
    try {
      answer = await undici.request(request.url, {
        method: request.method,
        headers: definedHeaders(request.headers),
        body: openBody(request.body),
        dispatcher: this.dispatcher,
        signal: request.signal ?? null,
      });
    } catch (error) {
      record('error', error);
      throw error;
    }
    let body: Buffer;
    try {
      body = request.method === 'HEAD' ? Buffer.alloc(0) : await readCapped(answer.body, request.maxResponseBytes ?? defaultMaxResponseBytes);
    } catch (error) {
      record('error', error);
      throw error;
    }
    record(answer.statusCode);
    const headers = answer.headers;
    return {
      method: request.method,
      url: request.url,
      status: answer.statusCode,
      headers,
      body,
      attempts: attempt,
      header: (name) => firstValue(headers[name.toLowerCase()]),
    };
  }
}

/**
 * The response, when its status is one of `expected`; else a `RegistryResponseError` naming the
 * request (method, path, host) and the registry's answer (status and OCI error messages).
 */
export function expectStatus(response: TransportResponse, expected: readonly number[]): TransportResponse {
  if (expected.includes(response.status)) return response;
  throw new RegistryResponseError({
    host: response.url.host,
    method: response.method,
    path: requestPath(response.url),
    status: response.status,
    errors: parseOciErrors(response.body),
    attempts: response.attempts,
    retryAfter: response.header('retry-after'),
  });
}

/** A --debug line for a recorded request: `PATCH http://…/uploads/x?_state=REDACTED → 202 (12 ms)`. */
export function formatRequestRecord(record: RequestRecord): string {
  const attempt = record.attempt > 1 ? `, attempt ${record.attempt}` : '';
  const outcome = record.status === 'error' ? `failed: ${record.error ?? 'error'}` : String(record.status);
  return `${record.method} ${record.url} → ${outcome} (${record.ms} ms${attempt})`;
}

/** Whether a failure is worth another attempt: a network failure, or 408, 429, 5xx. */
export function isRetryableFailure(error: unknown): boolean {
  if (error instanceof RegistryNetworkError) return isRetryableNetworkError(error.cause);
  if (error instanceof RegistryResponseError) return isRetryableStatus(error.status);
  return isRetryableNetworkError(error);
}

function isReplayable(body: RequestBody | undefined): boolean {
  return body === undefined || typeof body === 'string' || body instanceof Uint8Array || body.replayable;
}

function openBody(body: RequestBody | undefined): string | Uint8Array | Readable | null {
  if (body === undefined) return null;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  return body.open();
}

function definedHeaders(headers: Record<string, string | undefined> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) if (value !== undefined) out[name] = value;
  return out;
}

function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

async function readCapped(body: Dispatcher.ResponseData['body'], limit: number): Promise<Buffer> {
  const pieces: Buffer[] = [];
  let length = 0;
  for await (const piece of body as AsyncIterable<Buffer>) {
    if (length >= limit) continue;
    pieces.push(piece);
    length += piece.length;
  }
  const all = Buffer.concat(pieces);
  return all.length > limit ? all.subarray(0, limit) : all;
}
