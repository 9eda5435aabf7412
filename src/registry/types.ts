import type { Readable } from 'node:stream';

/**
 * The contract of registry/: the OCI distribution client the push workflow uses. Implementations
 * live beside this file (client.ts and its helpers).
 */

export interface Credentials {
  username: string;
  /** Password or identity token; never logged. */
  secret: string;
}

/** A blob to upload whose bytes can be read again from the start (to start over a lost session). */
export interface BlobUpload {
  /** The digest when known in advance (uncompressed layers, config); else computed while sending. */
  digest?: string | undefined;
  /** Size in bytes when known in advance. */
  size?: number | undefined;
  /** A fresh stream of the blob's bytes from the first byte; called again to start over. */
  open(): Promise<Readable>;
  /**
   * `open()` is cheap (the layer is files on disk): with `size` and `digest` known, chunks go
   * straight from the stream and a failed one is read again instead of kept in memory.
   */
  rereadable?: boolean;
}

export interface PushedBlob {
  digest: string;
  size: number;
  /** How the blob got there. */
  outcome: 'exists' | 'mounted' | 'pushed';
}

/** One request as seen by --debug (headers already redacted). */
export interface RequestRecord {
  method: string;
  url: string;
  status: number | 'error';
  attempt: number;
  ms: number;
  /** For `status: 'error'`: what failed (a timeout, a reset connection), redacted. */
  error?: string;
}

/**
 * What `Credentials.secret` is. A password goes to the token realm as basic auth; an identity
 * token (Docker's `identitytoken`, or a helper answering `Username: "<token>"`) is an OAuth2
 * refresh token and goes in a `grant_type=refresh_token` POST. Default `password`.
 */
export type SecretKind = 'password' | 'identity-token';

/** Credentials with where they came from, as found for one registry. */
export interface FoundCredentials extends Credentials {
  /** Default `password`. */
  secretKind?: SecretKind;
  /** `auths` of the Docker config, or the credential helper that answered (`docker-credential-<name>`). */
  source: 'docker-config' | `helper:${string}`;
}

/** Where a pushed upload session stands. */
export interface UploadSession {
  /** The URL to send the next request of this upload to (absolute, resolved from `Location`). */
  location: URL;
  /** `OCI-Chunk-Min-Length` of the registry, when sent. */
  minChunkLength?: number | undefined;
  /** `OCI-Chunk-Max-Length` of the registry, when sent (a proposal Cloudflare's registries send). */
  maxChunkLength?: number | undefined;
}

/** The answer to a cross-repository mount. */
export type MountResult =
  | { outcome: 'mounted' }
  /** The registry did not mount (unknown blob, or `from` ignored) and opened an upload instead. */
  | { outcome: 'upload-started'; session: UploadSession };

/** A manifest as a HEAD reports it. */
export interface ManifestDescriptor {
  digest: string;
  mediaType: string;
  size: number;
}
