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
}
