import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendOciError, startScriptedServer, type ScriptedServer } from './scripted-server.js';
import type { TokenServer } from './token-server.js';

/**
 * A scripted OCI registry in memory, for the protocol's corner cases: Location styles, chunk-size
 * headers, chunk refusal, auth schemes, and faults injected per request (a status before or after
 * the registry kept the bytes, a connection cut mid-body, a stalled answer). It records every
 * request and which blob bytes each one stored, so tests assert on bytes, not on call order.
 */

export type Fault =
  /** Answer this status; `after-accept` stores the body first (the registry kept it, the answer says no). */
  | { kind: 'status'; status: number; code?: string; headers?: Record<string, string>; when?: 'before-accept' | 'after-accept' }
  /** Cut the connection after this many body bytes (PATCH/PUT). */
  | { kind: 'cut'; afterBytes: number }
  /** Never answer. */
  | { kind: 'stall' };

export interface FaultContext {
  method: string;
  path: string;
  /** 1-based number of this request among all requests of its method. */
  methodCount: number;
  /** `start-end` of the request's Content-Range, when it has one. */
  contentRange: string | undefined;
}

export interface FakeRegistryOptions {
  auth?: { kind: 'basic'; username: string; password: string } | { kind: 'bearer'; tokens: TokenServer; service?: string };
  /** Location headers as paths or as absolute URLs. Default `relative`. */
  locations?: 'relative' | 'absolute';
  /** `OCI-Chunk-Min-Length` / `OCI-Chunk-Max-Length` on POST. */
  chunkMinLength?: number;
  chunkMaxLength?: number;
  /** Answer 416 to every PATCH with a Content-Range (a registry without chunked uploads). */
  refuseChunks?: boolean;
  /**
   * What a cut PATCH leaves: the bytes received so far kept (`keep-partial`), the chunk dropped
   * but the session kept (`discard-partial`), or the session gone, as distribution does (`lose-session`).
   * Default `lose-session`.
   */
  onCut?: 'keep-partial' | 'discard-partial' | 'lose-session';
  /** Injects a fault into a request, or not. */
  fault?: (context: FaultContext) => Fault | undefined;
  /** Answer blob HEADs with a 307 to this origin (blob storage on another host), presigned. */
  blobStorage?: string;
  /** A digest to claim for every manifest put (to test the client's check). */
  manifestDigestOverride?: string;
}

export interface LogEntry {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
  contentRange: string | undefined;
  bodyBytes: number;
  /** Blob bytes this request stored in its upload session: [start, end). */
  stored?: [number, number];
  status?: number | 'cut' | 'stall';
}

interface Session {
  repository: string;
  data: Buffer[];
  size: number;
  state: number;
}

export interface FakeRegistry extends ScriptedServer {
  log: LogEntry[];
  /** repository → digest → bytes */
  blobs: Map<string, Map<string, Buffer>>;
  manifests: Map<string, Map<string, { bytes: Buffer; mediaType: string; digest: string }>>;
  sessionsStarted(): number;
}

const sha256 = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

export async function startFakeRegistry(options: FakeRegistryOptions = {}): Promise<FakeRegistry> {
  const log: LogEntry[] = [];
  const blobs = new Map<string, Map<string, Buffer>>();
  const manifests = new Map<string, Map<string, { bytes: Buffer; mediaType: string; digest: string }>>();
  const sessions = new Map<string, Session>();
  const methodCounts = new Map<string, number>();
  let sessionCounter = 0;
  let origin = '';

  const repoBlobs = (repository: string): Map<string, Buffer> => {
    let map = blobs.get(repository);
    if (!map) blobs.set(repository, (map = new Map()));
    return map;
  };
  const location = (path: string): string => (options.locations === 'absolute' ? `${origin}${path}` : path);
  const sessionLocation = (id: string, session: Session): string =>
    location(`/v2/${session.repository}/blobs/uploads/${id}?_state=${session.state}`);
  const rangeHeader = (session: Session): string => `0-${Math.max(0, session.size - 1)}`;

  function reply(entry: LogEntry, response: ServerResponse, status: number, headers: Record<string, string> = {}, body = ''): void {
    entry.status = status;
    response.writeHead(status, headers);
    response.end(body);
  }

  function authorized(request: IncomingMessage, entry: LogEntry, response: ServerResponse, repository: string | undefined, action: 'pull' | 'push'): boolean {
    const auth = options.auth;
    if (!auth) return true;
    const header = request.headers.authorization ?? '';
    if (auth.kind === 'basic') {
      const expected = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
      if (header === expected) return true;
      entry.status = 401;
      sendOciError(response, 401, 'UNAUTHORIZED', 'authentication required', { 'www-authenticate': 'Basic realm="fake-registry"' });
      return false;
    }
    const token = header.replace(/^Bearer /, '');
    const service = auth.service ?? 'fake-registry';
    const granted = repository === undefined ? auth.tokens.isValid(token) : auth.tokens.allows(token, repository, action);
    if (header.startsWith('Bearer ') && granted) return true;
    const scope = repository ? `,scope="repository:${repository}:${action === 'push' ? 'pull,push' : 'pull'}"` : '';
    entry.status = 401;
    sendOciError(response, 401, 'UNAUTHORIZED', 'authentication required', {
      'www-authenticate': `Bearer realm="${auth.tokens.realm}",service="${service}"${scope}`,
    });
    return false;
  }

  /** Reads a body into a session, honouring a cut; returns false when the connection was cut. */
  async function receive(request: IncomingMessage, entry: LogEntry, session: Session | undefined, fault: Fault | undefined): Promise<Buffer | undefined> {
    if (fault?.kind !== 'cut') {
      const body = await readBody(request);
      entry.bodyBytes = body.length;
      return body;
    }
    const socket = request.socket;
    const kept: Buffer[] = [];
    let received = 0;
    await new Promise<void>((resolve) => {
      request.on('data', (piece: Buffer) => {
        if (received >= fault.afterBytes) return;
        const take = Math.min(piece.length, fault.afterBytes - received);
        kept.push(piece.subarray(0, take));
        received += take;
        if (received >= fault.afterBytes) {
          // A cut connection: no answer, the socket just goes away.
          socket.destroy();
          resolve();
        }
      });
      request.on('end', resolve);
      request.on('close', resolve);
    });
    entry.bodyBytes = received;
    entry.status = 'cut';
    if (session && options.onCut === 'keep-partial') store(entry, session, Buffer.concat(kept));
    if (session && (options.onCut ?? 'lose-session') === 'lose-session') {
      for (const [id, s] of sessions) if (s === session) sessions.delete(id);
    }
    socket.destroy();
    return undefined;
  }

  function store(entry: LogEntry, session: Session, bytes: Buffer): void {
    if (bytes.length === 0) return;
    entry.stored = [session.size, session.size + bytes.length];
    session.data.push(bytes);
    session.size += bytes.length;
    session.state++;
  }

  const server = await startScriptedServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://registry.invalid');
    const method = request.method ?? 'GET';
    const count = (methodCounts.get(method) ?? 0) + 1;
    methodCounts.set(method, count);
    const contentRange = request.headers['content-range'];
    const entry: LogEntry = { method, path: url.pathname, query: url.searchParams, authorization: request.headers.authorization, contentRange, bodyBytes: 0 };
    log.push(entry);
    const fault = options.fault?.({ method, path: url.pathname, methodCount: count, contentRange });
    if (fault?.kind === 'stall') {
      entry.status = 'stall';
      return;
    }
    if (fault?.kind === 'status' && fault.when !== 'after-accept') {
      entry.bodyBytes = (await readBody(request)).length;
      entry.status = fault.status;
      sendOciError(response, fault.status, fault.code ?? 'UNKNOWN', `injected ${fault.status}`, fault.headers);
      return;
    }
    if (url.pathname === '/v2/' || url.pathname === '/v2') {
      if (authorized(request, entry, response, undefined, 'pull')) reply(entry, response, 200, { 'content-type': 'application/json' }, '{}');
      return;
    }
    const match = /^\/v2\/(.+?)\/(blobs\/uploads\/([^/]*)|blobs\/([^/]+)|manifests\/([^/]+))$/.exec(url.pathname);
    if (!match) return reply(entry, response, 404);
    const repository = match[1]!;
    const uploadId = match[3];
    const isUpload = match[2]!.startsWith('blobs/uploads/');
    const needsPush = method !== 'GET' && method !== 'HEAD';
    if (!authorized(request, entry, response, repository, needsPush ? 'push' : 'pull')) {
      await readBody(request);
      return;
    }

    if (isUpload && method === 'POST') {
      await readBody(request);
      const mount = url.searchParams.get('mount');
      const from = url.searchParams.get('from');
      if (mount && from && blobs.get(from)?.has(mount)) {
        const fromAllowed = options.auth?.kind !== 'bearer' || options.auth.tokens.allows((request.headers.authorization ?? '').replace(/^Bearer /, ''), from, 'pull');
        if (fromAllowed) {
          repoBlobs(repository).set(mount, blobs.get(from)!.get(mount)!);
          return reply(entry, response, 201, { location: location(`/v2/${repository}/blobs/${mount}`), 'docker-content-digest': mount });
        }
      }
      const id = `u${++sessionCounter}`;
      const session: Session = { repository, data: [], size: 0, state: 0 };
      sessions.set(id, session);
      const headers: Record<string, string> = { location: sessionLocation(id, session), 'docker-upload-uuid': id, range: '0-0' };
      if (options.chunkMinLength) headers['oci-chunk-min-length'] = String(options.chunkMinLength);
      if (options.chunkMaxLength) headers['oci-chunk-max-length'] = String(options.chunkMaxLength);
      return reply(entry, response, 202, headers);
    }

    if (isUpload) {
      const session = sessions.get(uploadId ?? '');
      if (!session) {
        await readBody(request).catch(() => undefined);
        entry.status = 404;
        return sendOciError(response, 404, 'BLOB_UPLOAD_INVALID', 'blob upload invalid');
      }
      if (method === 'GET') return reply(entry, response, 204, { location: sessionLocation(uploadId!, session), range: rangeHeader(session) });
      if (method === 'DELETE') {
        sessions.delete(uploadId!);
        return reply(entry, response, 204);
      }
      if (contentRange !== undefined) {
        const start = Number(/^(\d+)-/.exec(contentRange)?.[1] ?? NaN);
        if ((method === 'PATCH' && options.refuseChunks) || start !== session.size) {
          await readBody(request);
          entry.status = 416;
          return sendOciError(response, 416, 'RANGE_INVALID', 'invalid content range', { range: rangeHeader(session), location: sessionLocation(uploadId!, session) });
        }
      }
      const body = await receive(request, entry, session, fault);
      if (!body) return;
      store(entry, session, body);
      if (fault?.kind === 'status') {
        entry.status = fault.status;
        return sendOciError(response, fault.status, fault.code ?? 'UNKNOWN', `injected ${fault.status} after accepting`, fault.headers);
      }
      if (method === 'PATCH') {
        return reply(entry, response, 202, { location: sessionLocation(uploadId!, session), range: rangeHeader(session), 'docker-upload-uuid': uploadId! });
      }
      if (method === 'PUT') {
        const blob = Buffer.concat(session.data);
        const digest = url.searchParams.get('digest');
        if (digest !== sha256(blob)) {
          entry.status = 400;
          return sendOciError(response, 400, 'DIGEST_INVALID', `provided digest did not match uploaded content (${blob.length} bytes)`);
        }
        sessions.delete(uploadId!);
        repoBlobs(repository).set(digest, blob);
        return reply(entry, response, 201, { location: location(`/v2/${repository}/blobs/${digest}`), 'docker-content-digest': digest });
      }
      return reply(entry, response, 405);
    }

    const body = await readBody(request);
    entry.bodyBytes = body.length;
    if (match[4]) {
      const blob = blobs.get(repository)?.get(match[4]);
      if (!blob) return reply(entry, response, 404);
      if (options.blobStorage) return reply(entry, response, 307, { location: `${options.blobStorage}/blobs/${match[4]}?X-Amz-Signature=presigned-secret` });
      return reply(entry, response, 200, { 'content-length': String(blob.length), 'docker-content-digest': match[4] });
    }
    const reference = match[5]!;
    if (method === 'PUT') {
      const digest = sha256(body);
      const stored = { bytes: body, mediaType: request.headers['content-type'] ?? '', digest };
      let map = manifests.get(repository);
      if (!map) manifests.set(repository, (map = new Map()));
      map.set(reference, stored);
      map.set(digest, stored);
      return reply(entry, response, 201, { 'docker-content-digest': options.manifestDigestOverride ?? digest, location: location(`/v2/${repository}/manifests/${digest}`) });
    }
    const manifest = manifests.get(repository)?.get(reference);
    if (!manifest) return reply(entry, response, 404);
    return reply(entry, response, 200, { 'content-type': manifest.mediaType, 'content-length': String(manifest.bytes.length), 'docker-content-digest': manifest.digest });
  });
  origin = server.origin;
  return { ...server, log, blobs, manifests, sessionsStarted: () => sessionCounter };
}
