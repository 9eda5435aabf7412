/**
 * How big a PATCH chunk may be, per registry. No size works everywhere (users-and-registries.md
 * §3.3): what registries are known to accept is kept here, and what a registry says on the POST
 * (`OCI-Chunk-Min-Length`, `OCI-Chunk-Max-Length`) lowers or raises it further.
 */

const MiB = 1024 * 1024;

/** Upstream Cog's default, chosen to stay under CDN request-body limits. */
export const defaultChunkSize = 96 * MiB;
/** Blobs up to this size go up in one request (POST, then PUT with the body). */
export const defaultMonolithicThreshold = 1 * MiB;

export interface KnownUploadLimits {
  /** Largest PATCH body the registry takes. */
  maxChunk?: number;
  /** Smallest PATCH body (all but the last). */
  minChunk?: number;
  /** False: the registry refuses chunked uploads; use one request per blob. */
  chunked?: boolean;
  /** Send the last chunk in the closing PUT instead of an empty PUT. */
  lastChunkInPut?: boolean;
}

interface KnownRegistry {
  pattern: RegExp;
  limits: KnownUploadLimits;
  why: string;
}

const knownRegistries: KnownRegistry[] = [
  { pattern: /^ghcr\.io$/, limits: { maxChunk: 4 * MiB }, why: 'GHCR answers 416 to a PATCH over 4 MiB' },
  {
    pattern: /(^|\.)(pkg\.dev|gcr\.io)$/,
    limits: { chunked: false },
    why: 'Google Artifact Registry does not support chunked uploads (its docs: "use monolithic uploads")',
  },
  {
    pattern: /\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/,
    limits: { minChunk: 5 * MiB, maxChunk: 10 * MiB, lastChunkInPut: true },
    why: 'ECR parts are 5–10 MiB, and ECR answered 500 to an empty closing PUT',
  },
  { pattern: /^public\.ecr\.aws$/, limits: { maxChunk: 10 * MiB, lastChunkInPut: true }, why: 'ECR Public parts are at most 10 MiB' },
];

/** What is known of a registry host's upload limits (nothing for most). */
export function knownUploadLimits(registry: string): KnownUploadLimits {
  const host = registry.toLowerCase().replace(/:\d+$/, '');
  return knownRegistries.find((known) => known.pattern.test(host))?.limits ?? {};
}

export interface ChunkSizeInputs {
  /** The configured chunk size (default 96 MiB). */
  configured: number;
  known: KnownUploadLimits;
  /** `OCI-Chunk-Min-Length` from the registry. */
  serverMin?: number | undefined;
  /** `OCI-Chunk-Max-Length` from the registry. */
  serverMax?: number | undefined;
}

/**
 * The chunk size for one upload: the configured size, lowered by every maximum known or
 * announced, then raised to any minimum (a minimum is a hard rule: S3-backed parts under 5 MiB
 * fail; a maximum below it leaves the maximum). Fixed for the whole blob: R2-backed registries
 * want equal parts.
 */
export function effectiveChunkSize(inputs: ChunkSizeInputs): number {
  const hardMax = Math.min(Infinity, ...[inputs.known.maxChunk, inputs.serverMax].filter(isPositive));
  const floor = Math.max(0, ...[inputs.known.minChunk, inputs.serverMin].filter(isPositive));
  const wanted = Math.min(inputs.configured, hardMax);
  return Math.max(1, Math.min(hardMax, Math.max(floor, wanted)));
}

function isPositive(value: number | undefined): value is number {
  return value !== undefined && Number.isFinite(value) && value > 0;
}

/** A positive integer header value (`OCI-Chunk-Min-Length`), else undefined. */
export function positiveIntegerHeader(value: string | undefined): number | undefined {
  if (!value || !/^\d+$/.test(value.trim())) return undefined;
  const number = Number(value.trim());
  return number > 0 ? number : undefined;
}

/**
 * The number of bytes a registry holds, from its `Range` header: `0-N` (OCI) or `bytes=0-N`
 * (older Docker text) means N + 1 bytes. distribution answers `0-0` for an empty session too, so
 * `0-0` is read as 0: at worst one byte is sent again and the registry answers 416.
 */
export function parseRangeEnd(value: string | undefined): number | undefined {
  const match = /^\s*(?:bytes=)?(\d+)-(\d+)\s*$/.exec(value ?? '');
  if (!match) return undefined;
  const end = Number(match[2]);
  return end === 0 ? 0 : end + 1;
}
