import { UserError } from '../errors.js';
import { registerSecret } from '../ui/redact.js';
import { parseChallenge } from './challenge.js';
import { credentialsFor } from './docker-config.js';
import { registryBaseUrl } from './reference.js';
import { expectStatus, type RequestBody, type Transport, type TransportRequest, type TransportResponse } from './transport.js';
import type { Credentials, FoundCredentials, SecretKind } from './types.js';

/**
 * The auth layer: what a registry asks for (the `/v2/` probe), and the `Authorization` header
 * each request to it carries. Basic credentials, or bearer tokens requested per scope from the
 * realm the registry names and cached until they expire. Credentials are scoped to the
 * registry's origin: a request to any other origin goes without them.
 */

/** The scope to push to a repository (pull is needed too: HEAD and mounts read). */
export const pushScope = (repository: string): string => `repository:${repository}:pull,push`;
/** The scope to read a repository (the source of a cross-repository mount). */
export const pullScope = (repository: string): string => `repository:${repository}:pull`;

/** What the `/v2/` probe found the registry to want. */
export type PingResult =
  | { scheme: 'none' }
  | { scheme: 'basic' }
  | { scheme: 'bearer'; realm: string; service: string | undefined };

type CredentialsWithKind = Credentials & { secretKind?: SecretKind };

export interface RegistryAuthOptions {
  /** Registry host[:port], as in an image reference. */
  registry: string;
  transport: Transport;
  /** Base URL of the API. Default `registryBaseUrl(registry)` (plain HTTP only on loopback). */
  baseUrl?: string;
  /** Credentials to use; `null` for anonymous. Default: found in the Docker config for `registry`. */
  credentials?: CredentialsWithKind | null;
  /** How credentials are found when none are given. Default `credentialsFor` (Docker config). */
  lookupCredentials?: (registry: string) => Promise<FoundCredentials | undefined>;
  /** Clock for token expiry, ms. Default Date.now. */
  now?: () => number;
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

/** Tokens without `expires_in` live 60 s (Docker's token spec). */
const defaultTokenLifetimeSeconds = 60;

export class RegistryAuth {
  readonly registry: string;
  readonly baseUrl: URL;
  readonly transport: Transport;
  private readonly now: () => number;
  private readonly lookupCredentials: (registry: string) => Promise<FoundCredentials | undefined>;
  private credentialsPromise: Promise<CredentialsWithKind | undefined> | undefined;
  private pingPromise: Promise<PingResult> | undefined;
  private readonly tokens = new Map<string, CachedToken>();
  private readonly pendingTokens = new Map<string, Promise<string>>();

  constructor(options: RegistryAuthOptions) {
    this.registry = options.registry;
    this.baseUrl = new URL(options.baseUrl ?? registryBaseUrl(options.registry));
    this.transport = options.transport;
    this.now = options.now ?? Date.now;
    this.lookupCredentials = options.lookupCredentials ?? ((registry) => credentialsFor(registry));
    if (options.credentials !== undefined) this.credentialsPromise = Promise.resolve(remember(options.credentials ?? undefined));
  }

  /** The credentials in use (looked up once), or undefined for anonymous access. */
  credentials(): Promise<CredentialsWithKind | undefined> {
    this.credentialsPromise ??= this.lookupCredentials(this.registry).then(remember);
    return this.credentialsPromise;
  }

  /**
   * `GET /v2/` without credentials: 200 (open registry) or 401 with the challenge to answer.
   * Done once; a failure is not kept, so a later call probes again.
   */
  ping(signal?: AbortSignal): Promise<PingResult> {
    this.pingPromise ??= this.probe(signal).catch((error: unknown) => {
      this.pingPromise = undefined;
      throw error;
    });
    return this.pingPromise;
  }

  /**
   * Sends a request with the authorization its scopes need. A 401 to a request that carried a
   * token refreshes the token once (it may have expired or lack a scope) and sends again.
   */
  async send(request: TransportRequest, scopes: readonly string[]): Promise<TransportResponse> {
    if (new URL(request.url).origin !== this.baseUrl.origin) return this.transport.send(request);
    const ping = await this.ping(request.signal);
    const authorization = await this.authorization(ping, scopes, request.signal);
    const response = await this.transport.send(withAuthorization(request, authorization));
    if (response.status !== 401) return response;
    if (!canSendAgain(request.body)) {
      // A one-shot body cannot go again; the caller starts over, and gets a fresh token then.
      this.tokens.delete(scopeKey(scopes));
      return response;
    }
    const renewed = await this.renewAfter401(response, ping, scopes, request.signal);
    if (renewed === undefined || renewed === authorization) return response;
    return this.transport.send(withAuthorization(request, renewed));
  }

  private async probe(signal: AbortSignal | undefined): Promise<PingResult> {
    const response = expectStatus(await this.transport.send({ method: 'GET', url: new URL('/v2/', this.baseUrl), signal }), [200, 401]);
    if (response.status === 200) return { scheme: 'none' };
    return readChallenge(response.header('www-authenticate')) ?? { scheme: 'basic' };
  }

  private async authorization(ping: PingResult, scopes: readonly string[], signal: AbortSignal | undefined): Promise<string | undefined> {
    if (ping.scheme === 'none') return undefined;
    if (ping.scheme === 'basic') return basicHeader(await this.credentials());
    return `Bearer ${await this.token(ping, scopes, signal)}`;
  }

  private async renewAfter401(
    response: TransportResponse,
    ping: PingResult,
    scopes: readonly string[],
    signal: AbortSignal | undefined,
  ): Promise<string | undefined> {
    const challenge = readChallenge(response.header('www-authenticate')) ?? ping;
    // The registry may ask for something else than /v2/ said (another realm, or auth where /v2/
    // was open): later requests follow the latest challenge.
    if (JSON.stringify(challenge) !== JSON.stringify(ping)) this.pingPromise = Promise.resolve(challenge);
    if (challenge.scheme === 'bearer') {
      this.tokens.delete(scopeKey(scopes));
      return `Bearer ${await this.token(challenge, scopes, signal)}`;
    }
    return basicHeader(await this.credentials());
  }

  private async token(challenge: Extract<PingResult, { scheme: 'bearer' }>, scopes: readonly string[], signal: AbortSignal | undefined): Promise<string> {
    const key = scopeKey(scopes);
    const cached = this.tokens.get(key);
    if (cached && this.now() < cached.expiresAt) return cached.token;
    let pending = this.pendingTokens.get(key);
    if (!pending) {
      pending = this.fetchToken(challenge, scopes, signal).finally(() => this.pendingTokens.delete(key));
      this.pendingTokens.set(key, pending);
    }
    return pending;
  }

  /**
   * Asks the realm for a token. The basic credentials (or identity token) of this registry go to
   * the realm host, which may be another host than the registry's: that is the token protocol
   * (the registry's own challenge names the realm it trusts; docker and containerd do the same).
   * They never go to a realm over plain HTTP when the registry itself is on HTTPS.
   */
  private async fetchToken(challenge: Extract<PingResult, { scheme: 'bearer' }>, scopes: readonly string[], signal: AbortSignal | undefined): Promise<string> {
    const realm = new URL(challenge.realm);
    const credentials = await this.credentials();
    if (credentials && realm.protocol === 'http:' && this.baseUrl.protocol === 'https:') {
      throw new UserError(`${this.registry} asks for credentials to be sent to ${realm.origin} over plain HTTP; refusing`);
    }
    const request: TransportRequest =
      credentials?.secretKind === 'identity-token'
        ? refreshTokenRequest(realm, challenge.service, scopes, credentials.secret)
        : { method: 'GET', url: tokenUrl(realm, challenge.service, scopes, credentials?.username), headers: { authorization: basicHeader(credentials) } };
    const response = expectStatus(await this.transport.send({ ...request, signal }), [200]);
    let body: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(response.body.toString()) as typeof body;
    } catch (error) {
      throw new UserError(`the token service of ${this.registry} (${realm.host}) answered something that is not JSON`, { cause: error });
    }
    const token = typeof body.token === 'string' && body.token ? body.token : typeof body.access_token === 'string' ? body.access_token : '';
    if (!token) throw new UserError(`the token service of ${this.registry} (${realm.host}) answered without a token`);
    registerSecret(token);
    const lifetime = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : defaultTokenLifetimeSeconds;
    // Renew a little early so a token does not expire between the check and the request.
    const margin = Math.min(30, lifetime / 10);
    this.tokens.set(scopeKey(scopes), { token, expiresAt: this.now() + (lifetime - margin) * 1000 });
    return token;
  }
}

function readChallenge(header: string | undefined): PingResult | undefined {
  const challenge = parseChallenge(header);
  if (challenge?.scheme === 'bearer' && challenge.params.realm) {
    return { scheme: 'bearer', realm: challenge.params.realm, service: challenge.params.service };
  }
  if (challenge?.scheme === 'basic') return { scheme: 'basic' };
  return undefined;
}

function tokenUrl(realm: URL, service: string | undefined, scopes: readonly string[], username: string | undefined): URL {
  const url = new URL(realm);
  if (service) url.searchParams.set('service', service);
  for (const scope of scopes) url.searchParams.append('scope', scope);
  if (username) url.searchParams.set('account', username);
  return url;
}

/** The OAuth2 form Docker sends with an identity token (a refresh token). */
function refreshTokenRequest(realm: URL, service: string | undefined, scopes: readonly string[], refreshToken: string): TransportRequest {
  const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'cogpack' });
  if (service) form.set('service', service);
  if (scopes.length > 0) form.set('scope', scopes.join(' '));
  return { method: 'POST', url: realm, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() };
}

export function basicHeader(credentials: CredentialsWithKind | undefined): string | undefined {
  if (!credentials || credentials.secretKind === 'identity-token') return undefined;
  const encoded = Buffer.from(`${credentials.username}:${credentials.secret}`).toString('base64');
  registerSecret(encoded);
  return `Basic ${encoded}`;
}

function remember<T extends Credentials | undefined>(credentials: T): T {
  if (credentials) registerSecret(credentials.secret);
  return credentials;
}

function scopeKey(scopes: readonly string[]): string {
  return [...scopes].sort().join(' ');
}

function withAuthorization(request: TransportRequest, authorization: string | undefined): TransportRequest {
  return { ...request, headers: { ...request.headers, authorization } };
}

function canSendAgain(body: RequestBody | undefined): boolean {
  return body === undefined || typeof body === 'string' || body instanceof Uint8Array || body.replayable;
}
