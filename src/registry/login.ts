import { UserError } from '../errors.js';
import { registerSecret } from '../ui/redact.js';
import { RegistryAuth, type PingResult } from './auth.js';
import { RegistryResponseError } from './registry-errors.js';
import { Transport, expectStatus, type TransportOptions } from './transport.js';
import type { Credentials, SecretKind } from './types.js';

/**
 * `cog login`: checking credentials against a registry before keeping them, and Replicate's own
 * token flow (spec push.md §4), which r8.im keeps from upstream.
 */

export interface LoginOptions {
  /** Base URL of the registry. Default `registryBaseUrl(registry)` (for r8.im: `https://r8.im`). */
  baseUrl?: string;
  /** A transport to use, or options for a new one (closed afterwards). */
  transport?: Transport | TransportOptions;
  /** Cancels the requests. */
  signal?: AbortSignal;
}

export interface VerifiedLogin {
  /** How the registry authenticates. `none`: it takes anonymous requests, so nothing could be checked. */
  scheme: PingResult['scheme'];
}

/**
 * Checks credentials the way `docker login` does: the `/v2/` probe, then its challenge answered
 * with them (basic auth, or a token from the realm), then `/v2/` again with that authorization.
 */
export async function verifyCredentials(
  registry: string,
  credentials: Credentials & { secretKind?: SecretKind },
  options: LoginOptions = {},
): Promise<VerifiedLogin> {
  registerSecret(credentials.secret);
  return withTransport(options, async (transport) => {
    const auth = new RegistryAuth({ registry, transport, credentials, ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}) });
    const ping = await auth.ping(options.signal);
    if (ping.scheme === 'none') return { scheme: 'none' };
    try {
      const response = await auth.send({ method: 'GET', url: new URL('/v2/', auth.baseUrl), signal: options.signal }, []);
      expectStatus(response, [200]);
    } catch (error) {
      if (error instanceof RegistryResponseError && (error.status === 401 || error.status === 403)) {
        const who = credentials.username ? ` for ${credentials.username}` : '';
        throw new UserError(`${registry} refused the credentials${who}: ${error.message}`, {
          hint: 'check the username and the password or token, then try again',
          cause: error,
        });
      }
      throw error;
    }
    return { scheme: ping.scheme };
  });
}

/** A CLI auth token as the user pasted it: trimmed, and not an API token by mistake. */
export function checkReplicateCliToken(text: string): string {
  const token = text.trim();
  if (!token) throw new UserError('no token given', { hint: 'paste the CLI auth token shown on the page the login opened' });
  registerSecret(token);
  if (token.startsWith('r8_')) {
    throw new UserError('that looks like a Replicate API token, not a CLI auth token', {
      hint: 'copy the CLI auth token from the page `cog login` opens (replicate.com/auth/token), not an API token',
    });
  }
  return token;
}

/** `GET /cog/v1/display-token-url`: the page where the user gets a CLI auth token. */
export async function fetchReplicateTokenPage(registry: string, options: LoginOptions = {}): Promise<string> {
  return withTransport(options, async (transport) => {
    const url = new URL('/cog/v1/display-token-url', options.baseUrl ?? `https://${registry}`);
    const response = await transport.send({ method: 'GET', url, signal: options.signal });
    if (response.status === 404) {
      throw new UserError(`${registry} is not the Replicate registry`, { hint: `log in with \`docker login ${registry}\`` });
    }
    expectStatus(response, [200]);
    const body = parseJson(response.body, registry) as { url?: unknown };
    if (typeof body.url !== 'string' || !body.url) throw new UserError(`${registry} answered without a token page URL`);
    return body.url;
  });
}

/**
 * `POST /cog/v1/verify-token` with the form `token=<token>`: the username the token belongs to.
 * The credentials to keep are then `{ username, secret: token }` for the registry.
 */
export async function verifyReplicateToken(registry: string, token: string, options: LoginOptions = {}): Promise<{ username: string }> {
  const checked = checkReplicateCliToken(token);
  return withTransport(options, async (transport) => {
    const url = new URL('/cog/v1/verify-token', options.baseUrl ?? `https://${registry}`);
    const response = await transport.send({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: checked }).toString(),
      signal: options.signal,
    });
    if (response.status === 404) throw new UserError('user does not exist', { hint: 'get a new CLI auth token and log in again' });
    if (response.status !== 200) {
      throw new UserError(`failed to verify token, got status ${response.status}`, { hint: `try again; if it persists, check the status of ${registry}` });
    }
    const body = parseJson(response.body, registry) as { username?: unknown };
    if (typeof body.username !== 'string' || !body.username) throw new UserError(`${registry} verified the token but named no user`);
    return { username: body.username };
  });
}

async function withTransport<T>(options: LoginOptions, run: (transport: Transport) => Promise<T>): Promise<T> {
  const own = !(options.transport instanceof Transport);
  const transport = options.transport instanceof Transport ? options.transport : new Transport(options.transport);
  try {
    return await run(transport);
  } finally {
    if (own) await transport.close();
  }
}

function parseJson(body: Buffer, registry: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(body.toString());
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch (error) {
    throw new UserError(`${registry} answered something that is not JSON`, { cause: error });
  }
}
