import { setTimeout as delay } from 'node:timers/promises';
import { errorCode } from './registry-errors.js';

export interface RetryOptions {
  /** Attempts per request, the first included. Default 5. */
  attempts?: number;
  /**
   * Attempts in a row without progress for the requests that carry blob bytes (a chunk, a closing
   * PUT with a body, a blob started over): more patient than other requests, because a network
   * that fails a third of uploads still lets a push finish, where a registry that is down should
   * be said to be down soon. Default 10 (`attempts`, when that is given).
   */
  uploadAttempts?: number;
  /** Base of the exponential backoff, ms: waits are drawn from [0, base × 2^(n-1)]. Default 500. */
  baseDelayMs?: number;
  /** Cap of one backoff wait, ms. Default 20 000. */
  maxDelayMs?: number;
  /** Longest `Retry-After` honoured, ms; longer ones are cut to this. Default 60 000. */
  maxRetryAfterMs?: number;
  /** Source of randomness in [0, 1) for the jitter. Default Math.random. */
  random?: () => number;
  /** How to wait; tests inject one that records and returns at once. Default a timer. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Wall clock, for `Retry-After` given as an HTTP date. Default Date.now. */
  now?: () => number;
}

/**
 * 408 and 429 ask for a retry; 5xx are server or proxy faults that usually pass (499 is nginx's
 * "client closed", 522 Cloudflare's "origin timed out": both seen in front of registries).
 * 501 and 505 will not change on a retry.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status === 499 || (status >= 500 && status !== 501 && status !== 505);
}

const retryableCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** A failure of the connection rather than an answer: worth another attempt. */
export function isRetryableNetworkError(error: unknown): boolean {
  if ((error as Error)?.name === 'AbortError') return false;
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    const code = errorCode(current);
    if (code && retryableCodes.has(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

const connectionCodes = new Set([...retryableCodes, 'ENOTFOUND', 'EHOSTDOWN', 'EPROTO', 'UND_ERR_HEADERS_OVERFLOW']);

/**
 * Whether an error is about the connection to the registry (not reachable, reset, timed out, a
 * TLS certificate refused) rather than a bug or a failing body source, which must pass unchanged.
 */
export function isConnectionError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    const code = errorCode(current);
    if (code && (connectionCodes.has(code) || /CERT|TLS|SSL|UNABLE_TO_(GET|VERIFY)/.test(code))) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * `Retry-After` in ms: delta-seconds or an HTTP date (RFC 9110 §10.2.3). Undefined when absent
 * or unreadable.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Exponential backoff with full jitter, bounded attempts, `Retry-After` honoured. */
export class RetryPolicy {
  readonly attempts: number;
  readonly uploadAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly random: () => number;
  private readonly sleepFn: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly now: () => number;

  constructor(options: RetryOptions = {}) {
    this.attempts = Math.max(1, options.attempts ?? 5);
    this.uploadAttempts = Math.max(1, options.uploadAttempts ?? options.attempts ?? 10);
    this.baseDelayMs = options.baseDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 20_000;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
    this.random = options.random ?? Math.random;
    this.sleepFn = options.sleep ?? ((ms, signal) => delay(ms, undefined, signal ? { signal } : undefined));
    this.now = options.now ?? Date.now;
  }

  /**
   * The wait before attempt `failures + 1`, after `failures` failed ones. A `Retry-After` from the
   * registry wins over the backoff: it knows when it will take requests again.
   */
  delayAfter(failures: number, retryAfter?: string): number {
    const asked = parseRetryAfter(retryAfter, this.now());
    if (asked !== undefined) return Math.min(asked, this.maxRetryAfterMs);
    const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.max(0, failures - 1));
    return Math.floor(this.random() * ceiling);
  }

  wait(ms: number, signal?: AbortSignal): Promise<void> {
    return ms > 0 ? this.sleepFn(ms, signal) : Promise.resolve();
  }
}
