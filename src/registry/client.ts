import { createHash } from 'node:crypto';
import { UserError } from '../errors.js';
import { RegistryAuth, pullScope, pushScope, type PingResult } from './auth.js';
import { ChunkBufferPool } from './chunk-buffers.js';
import { mountFromAny, type MountOptions, type MountOutcome } from './blob-mount.js';
import { pushBlob, type BlobUploadContext, type PushBlobOptions } from './blob-push.js';
import { defaultChunkSize, defaultMonolithicThreshold, knownUploadLimits, parseRangeEnd, positiveIntegerHeader, type KnownUploadLimits } from './chunk-limits.js';
import { RegistryResponseError, UploadSessionLostError } from './registry-errors.js';
import { Transport, expectStatus, type RequestBody, type TransportOptions, type TransportRequest, type TransportResponse } from './transport.js';
import type { BlobUpload, Credentials, ManifestDescriptor, MountResult, PushedBlob, SecretKind, UploadSession } from './types.js';
import { resolveLocation, withQuery } from './urls.js';

/**
 * The protocol verbs of the OCI distribution spec, named as the spec names them, for one
 * repository of one registry; `pushBlob` composes them into a whole, fault-tolerant blob upload.
 */

export interface UploadOptions {
  /** PATCH chunk size, bytes. Default 96 MiB; lowered by what the registry announces or is known to take. */
  chunkSize?: number;
  /** Blobs up to this many bytes go up in one request (POST, then PUT with the body). Default 1 MiB. */
  monolithicThreshold?: number;
  /** What is known of the registry's limits. Default: looked up by host (chunk-limits.ts). */
  knownLimits?: KnownUploadLimits;
  /**
   * Chunk buffers (each up to a chunk) this client's uploads share, at most: a push's memory is
   * bounded by this × the chunk size, whatever the number of layers. Default 4 (chunk-buffers.ts).
   */
  chunkBuffers?: number;
}

export interface RegistryClientOptions {
  /** Registry host[:port], as in an image reference (`r8.im`, `127.0.0.1:5000`). */
  registry: string;
  /** Repository path (`owner/model`). */
  repository: string;
  /** Base URL of the API. Default `registryBaseUrl(registry)`: HTTPS, plain HTTP only on loopback. */
  baseUrl?: string;
  /** Credentials; `null` for anonymous. Default: found in the Docker config for the registry. */
  credentials?: (Credentials & { secretKind?: SecretKind }) | null;
  /** Auth shared with other clients of the same registry (one token cache). Default: a new one. */
  auth?: RegistryAuth;
  /** A transport shared with other clients, or options for a new one. Default: a new one. */
  transport?: Transport | TransportOptions;
  /** Access the client asks for: `pull` for read-only use. Default `push`. */
  access?: 'push' | 'pull';
  upload?: UploadOptions;
}

/** The media types a manifest HEAD accepts (image manifests and indexes, Docker and OCI). */
export const manifestMediaTypes = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
];

export class RegistryClient {
  readonly registry: string;
  readonly repository: string;
  private readonly auth: RegistryAuth;
  private readonly transport: Transport;
  /** What every blob upload of this client shares: settings, buffers, what the registry said of chunks. */
  private readonly uploads: BlobUploadContext;
  private readonly ownsTransport: boolean;
  private readonly scopes: string[];

  constructor(options: RegistryClientOptions) {
    this.registry = options.registry;
    this.repository = options.repository;
    this.ownsTransport = !(options.transport instanceof Transport) && !options.auth;
    this.transport = options.auth?.transport ?? (options.transport instanceof Transport ? options.transport : new Transport(options.transport));
    this.auth =
      options.auth ??
      new RegistryAuth({
        registry: options.registry,
        transport: this.transport,
        ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
        ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
      });
    this.scopes = [options.access === 'pull' ? pullScope(this.repository) : pushScope(this.repository)];
    const knownLimits = options.upload?.knownLimits ?? knownUploadLimits(options.registry);
    this.uploads = {
      verbs: this,
      where: `${this.registry}/${this.repository}`,
      settings: {
        chunkSize: options.upload?.chunkSize ?? defaultChunkSize,
        monolithicThreshold: options.upload?.monolithicThreshold ?? defaultMonolithicThreshold,
        knownLimits,
      },
      policy: this.transport.retryPolicy,
      buffers: new ChunkBufferPool(options.upload?.chunkBuffers ?? 4),
      chunks: { refused: knownLimits.chunked === false },
    };
  }

  /**
   * A client of another repository of the same registry, sharing this one's auth (one token cache)
   * and connections: a mount's source and target, or a base image and a model.
   */
  forRepository(repository: string, upload?: UploadOptions): RegistryClient {
    return new RegistryClient({ registry: this.registry, repository, auth: this.auth, ...(upload ? { upload } : {}) });
  }

  /** `GET /v2/`: whether the registry answers, and what auth it wants. */
  ping(signal?: AbortSignal): Promise<PingResult> {
    return this.auth.ping(signal);
  }

  /** `HEAD /v2/<name>/blobs/<digest>`: the blob's size when the repository has it. */
  async headBlob(digest: string, options: { signal?: AbortSignal } = {}): Promise<{ size: number } | undefined> {
    const response = expectStatus(await this.send({ method: 'HEAD', url: this.url(`blobs/${digest}`), signal: options.signal }), [200, 404]);
    if (response.status === 404) return undefined;
    return { size: Number(response.header('content-length') ?? 0) };
  }

  /**
   * `POST /v2/<name>/blobs/uploads/?mount=<digest>&from=<repository>`: 201 when the registry
   * mounted the blob from the other repository. A registry may ignore `from` (or not have the
   * blob there) and answer 202 with an upload session instead, which the caller may use or cancel.
   */
  async mountBlob(digest: string, fromRepository: string, options: { signal?: AbortSignal } = {}): Promise<MountResult> {
    const url = withQuery(this.url('blobs/uploads/'), { mount: digest, from: fromRepository });
    const scopes = fromRepository === this.repository ? this.scopes : [...this.scopes, pullScope(fromRepository)];
    const response = expectStatus(
      await this.send({ method: 'POST', url, headers: { 'content-length': '0' }, signal: options.signal }, scopes),
      [201, 202],
    );
    if (response.status === 201) return { outcome: 'mounted' };
    return { outcome: 'upload-started', session: sessionFrom(response) };
  }

  /**
   * Mounts a blob from the first of `sources` (repositories of this registry) that lets it, skipping
   * any the credentials may not read or that lack it (blob-mount.ts): the one mount routine.
   */
  mountFrom(digest: string, sources: readonly string[], options: MountOptions = {}): Promise<MountOutcome> {
    return mountFromAny(this, digest, sources, options);
  }

  /** `POST /v2/<name>/blobs/uploads/`: a new upload session (202 with its `Location`). */
  async startUpload(options: { signal?: AbortSignal } = {}): Promise<UploadSession> {
    // Content-Length: 0 is required by the spec; distribution tolerates its absence, others not.
    const response = expectStatus(
      await this.send({ method: 'POST', url: this.url('blobs/uploads/'), headers: { 'content-length': '0' }, signal: options.signal }),
      [202],
    );
    return sessionFrom(response);
  }

  /**
   * `PATCH <location>`: one chunk, with `Content-Range: <start>-<end>` (inclusive, no `bytes `
   * prefix: ACR refuses that form). Without `start`, the body goes as a single stream (Docker's
   * streaming PATCH, for registries that refuse chunks). One attempt: faults are the caller's to
   * resolve (see `pushBlob`), since only the registry knows how much of a failed chunk it kept.
   */
  async uploadChunk(
    location: URL,
    chunk: { body: RequestBody; start?: number; length?: number },
    options: { signal?: AbortSignal } = {},
  ): Promise<{ location: URL; received: number | undefined }> {
    const headers: Record<string, string | undefined> = { 'content-type': 'application/octet-stream' };
    if (chunk.length !== undefined) headers['content-length'] = String(chunk.length);
    if (chunk.start !== undefined && chunk.length !== undefined) headers['content-range'] = `${chunk.start}-${chunk.start + chunk.length - 1}`;
    const response = await this.send({ method: 'PATCH', url: location, headers, body: chunk.body, attempts: 1, signal: options.signal });
    sessionGoneOn404(response);
    expectStatus(response, [202, 204, 201]);
    return { location: locationOf(response) ?? location, received: parseRangeEnd(response.header('range')) };
  }

  /** `GET <location>`: how many bytes the registry holds of an upload, and where to send the next. */
  async uploadStatus(location: URL, options: { signal?: AbortSignal } = {}): Promise<{ location: URL; received: number }> {
    const response = await this.send({ method: 'GET', url: location, signal: options.signal });
    sessionGoneOn404(response);
    expectStatus(response, [204, 200, 202]);
    return { location: locationOf(response) ?? location, received: parseRangeEnd(response.header('range')) ?? 0 };
  }

  /**
   * `PUT <location>?digest=<digest>`: closes the upload (201), with the last chunk as its body
   * when given (with its range), else empty. The existing query (`_state`) is kept.
   */
  async finishUpload(
    location: URL,
    digest: string,
    lastChunk?: { body: RequestBody; start?: number; length?: number },
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    const headers: Record<string, string | undefined> = { 'content-type': 'application/octet-stream' };
    if (!lastChunk) headers['content-length'] = '0';
    else if (lastChunk.length !== undefined) {
      headers['content-length'] = String(lastChunk.length);
      if (lastChunk.start !== undefined && lastChunk.length > 0) headers['content-range'] = `${lastChunk.start}-${lastChunk.start + lastChunk.length - 1}`;
    }
    // A PUT that carries bytes is an upload: it gets the uploads' patience.
    const attempts = lastChunk ? this.uploads.policy.uploadAttempts : undefined;
    const request: TransportRequest = { method: 'PUT', url: withQuery(location, { digest }), headers, body: lastChunk?.body, signal: options.signal, ...(attempts ? { attempts } : {}) };
    const response = await this.send(request);
    sessionGoneOn404(response);
    expectStatus(response, [201, 204]);
  }

  /** `DELETE <location>`: abandons an upload session. Best effort: a registry may not support it. */
  async cancelUpload(location: URL, options: { signal?: AbortSignal } = {}): Promise<void> {
    const response = await this.send({ method: 'DELETE', url: location, attempts: 1, signal: options.signal });
    expectStatus(response, [200, 202, 204, 404, 405]);
  }

  /**
   * `PUT /v2/<name>/manifests/<reference>`. Returns the manifest's digest after checking that the
   * registry's `Docker-Content-Digest` is the sha256 of the bytes sent: a registry (or a proxy)
   * that rewrote the manifest would leave the pushed digest pointing at something else.
   */
  async putManifest(reference: string, bytes: Uint8Array, mediaType: string, options: { signal?: AbortSignal } = {}): Promise<string> {
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    if (reference.includes(':') && reference !== digest) {
      throw new UserError(`the manifest's digest is ${digest}, not ${reference}`);
    }
    const response = expectStatus(
      await this.send({ method: 'PUT', url: this.url(`manifests/${reference}`), headers: { 'content-type': mediaType }, body: bytes, signal: options.signal }),
      [201, 200, 202],
    );
    const answered = response.header('docker-content-digest');
    if (answered !== undefined && answered !== digest) {
      throw new UserError(`${this.registry} stored the manifest ${this.repository}:${reference} as ${answered}, but the bytes sent hash to ${digest}`, {
        hint: 'a proxy or the registry rewrote the manifest; pull by tag to see what it holds',
      });
    }
    return digest;
  }

  /** `HEAD /v2/<name>/manifests/<reference>`: whether the repository has it (200) or not (404). */
  async manifestExists(reference: string, options: { signal?: AbortSignal } = {}): Promise<boolean> {
    const response = expectStatus(
      await this.send({ method: 'HEAD', url: this.url(`manifests/${reference}`), headers: { accept: manifestMediaTypes.join(', ') }, signal: options.signal }),
      [200, 404],
    );
    return response.status === 200;
  }

  /** `HEAD /v2/<name>/manifests/<reference>`: digest, media type and size, or undefined (404). */
  async headManifest(reference: string, options: { signal?: AbortSignal } = {}): Promise<ManifestDescriptor | undefined> {
    const response = expectStatus(
      await this.send({ method: 'HEAD', url: this.url(`manifests/${reference}`), headers: { accept: manifestMediaTypes.join(', ') }, signal: options.signal }),
      [200, 404],
    );
    if (response.status === 404) return undefined;
    const digest = response.header('docker-content-digest') ?? (reference.startsWith('sha256:') ? reference : undefined);
    if (digest) return { digest, mediaType: response.header('content-type') ?? '', size: Number(response.header('content-length') ?? 0) };
    // Docker-Content-Digest is optional on a HEAD: read the manifest and hash it instead.
    const full = expectStatus(
      await this.send({ method: 'GET', url: this.url(`manifests/${reference}`), headers: { accept: manifestMediaTypes.join(', ') }, signal: options.signal }),
      [200],
    );
    return { digest: `sha256:${createHash('sha256').update(full.body).digest('hex')}`, mediaType: full.header('content-type') ?? '', size: full.body.length };
  }

  /**
   * Uploads a blob: HEAD first when its digest is known, then a cross-repository mount when
   * `mountFrom` names repositories that may hold it, else POST → PATCH chunks → PUT, resuming
   * failed chunks from the offset the registry reports. See blob-push.ts.
   */
  pushBlob(upload: BlobUpload, options: PushBlobOptions = {}): Promise<PushedBlob> {
    return pushBlob(this.uploads, upload, options);
  }

  /** Closes connections when the client made its own transport. */
  async close(): Promise<void> {
    if (this.ownsTransport) await this.transport.close();
  }

  private url(path: string): URL {
    return new URL(`/v2/${this.repository}/${path}`, this.auth.baseUrl);
  }

  private send(request: TransportRequest, scopes: string[] = this.scopes): Promise<TransportResponse> {
    return this.auth.send(request, scopes);
  }
}

function sessionFrom(response: TransportResponse): UploadSession {
  const location = locationOf(response);
  if (!location) {
    throw new UserError(`${response.url.host} started an upload without saying where to send it (no Location header)`);
  }
  return {
    location,
    minChunkLength: positiveIntegerHeader(response.header('oci-chunk-min-length')),
    maxChunkLength: positiveIntegerHeader(response.header('oci-chunk-max-length')),
  };
}

function locationOf(response: TransportResponse): URL | undefined {
  const location = response.header('location');
  return location ? resolveLocation(response.url, location) : undefined;
}

function sessionGoneOn404(response: TransportResponse): void {
  if (response.status !== 404) return;
  try {
    expectStatus(response, []);
  } catch (error) {
    throw new UploadSessionLostError(error as RegistryResponseError);
  }
}
