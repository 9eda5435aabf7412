import { STATUS_CODES } from 'node:http';
import { UnavailableError, UserError } from '../errors.js';
import { redact } from '../ui/redact.js';

/** One entry of an OCI error body: `{"errors":[{"code":"…","message":"…","detail":…}]}`. */
export interface OciError {
  code: string;
  message: string;
  detail?: unknown;
}

/**
 * The errors of an OCI error body, or none when the body is something else. Proxies in front of
 * registries (Cloudflare, nginx) answer with HTML pages: those are not shown to users.
 */
export function parseOciErrors(body: Buffer | string | undefined): OciError[] {
  if (!body || body.length === 0) return [];
  try {
    const parsed = JSON.parse(body.toString()) as { errors?: unknown };
    if (!Array.isArray(parsed.errors)) return [];
    return parsed.errors
      .filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null)
      .map((e) => ({ code: String(e.code ?? 'UNKNOWN'), message: String(e.message ?? ''), detail: e.detail }));
  } catch {
    return [];
  }
}

/** `404 Not Found: BLOB_UPLOAD_UNKNOWN blob upload unknown to registry`. */
export function describeAnswer(status: number, errors: readonly OciError[]): string {
  const line = `${status} ${STATUS_CODES[status] ?? ''}`.trim();
  if (errors.length === 0) return line;
  const messages = errors.map((e) => (e.message ? `${e.code} ${e.message}` : e.code));
  return redact(`${line}: ${messages.join('; ')}`);
}

export interface RegistryResponseErrorInit {
  /** host[:port] of the registry (or token realm) that answered. */
  host: string;
  method: string;
  /** Request path without its query. */
  path: string;
  status: number;
  errors: OciError[];
  /** Attempts made before giving up. */
  attempts: number;
  /** The `Retry-After` header of the answer, if any. */
  retryAfter?: string | undefined;
}

/** A registry answered with a status the request did not expect. */
export class RegistryResponseError extends UserError {
  readonly host: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly errors: OciError[];
  readonly attempts: number;
  readonly retryAfter: string | undefined;

  constructor(init: RegistryResponseErrorInit) {
    const tries = init.attempts > 1 ? ` (after ${init.attempts} attempts)` : '';
    super(`${init.method} ${init.path} on ${init.host}: ${describeAnswer(init.status, init.errors)}${tries}`, {
      hint: hintFor(init.status, init.host),
    });
    this.name = 'RegistryResponseError';
    this.host = init.host;
    this.method = init.method;
    this.path = init.path;
    this.status = init.status;
    this.errors = init.errors;
    this.attempts = init.attempts;
    this.retryAfter = init.retryAfter;
  }

  hasCode(...codes: string[]): boolean {
    return this.errors.some((e) => codes.includes(e.code));
  }
}

/** The upload session is gone (404 on its URL): the blob must start over in a new one. */
export class UploadSessionLostError extends Error {
  constructor(readonly answer: RegistryResponseError) {
    super(`the upload session is gone: ${answer.message}`, { cause: answer });
    this.name = 'UploadSessionLostError';
  }
}

function hintFor(status: number, host: string): string | undefined {
  if (status === 401) return `log in with \`cog login ${host}\` (or \`docker login ${host}\`)`;
  if (status === 403) return `the credentials for ${host} are not allowed to do this; check the repository name and your access`;
  if (status === 413) return `a proxy in front of ${host} refused the request size; a smaller chunk size may help`;
  return undefined;
}

/** The registry could not be reached, or the connection failed, on every attempt. */
export class RegistryNetworkError extends UnavailableError {
  readonly host: string;
  readonly method: string;
  readonly path: string;
  readonly attempts: number;

  constructor(init: Omit<RegistryResponseErrorInit, 'status' | 'errors'> & { cause: unknown }) {
    const tries = init.attempts > 1 ? ` (after ${init.attempts} attempts)` : '';
    super(`${init.method} ${init.path} on ${init.host}: ${describeNetworkError(init.cause)}${tries}`, {
      hint: `check that ${init.host} is reachable from this machine`,
      cause: init.cause,
    });
    this.name = 'RegistryNetworkError';
    this.host = init.host;
    this.method = init.method;
    this.path = init.path;
    this.attempts = init.attempts;
  }
}

/** A short, redacted description of a network failure: `connection reset (ECONNRESET)`. */
export function describeNetworkError(error: unknown): string {
  const code = errorCode(error);
  const known: Record<string, string> = {
    UND_ERR_CONNECT_TIMEOUT: 'timed out connecting',
    UND_ERR_HEADERS_TIMEOUT: 'timed out waiting for the answer',
    UND_ERR_BODY_TIMEOUT: 'timed out reading the answer',
    UND_ERR_SOCKET: 'the connection broke',
    ECONNRESET: 'the connection was reset',
    ECONNREFUSED: 'connection refused',
    EPIPE: 'the connection was closed while sending',
    ENOTFOUND: 'unknown host',
    EAI_AGAIN: 'name resolution failed',
  };
  const text = code && known[code] ? `${known[code]} (${code})` : (error as Error)?.message || String(error);
  return redact(text);
}

/** The first `code` along an error's cause chain (undici wraps socket errors). */
export function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
