import { describe, expect, it } from 'vitest';
import { effectiveChunkSize, knownUploadLimits, parseRangeEnd, positiveIntegerHeader } from '../../../src/registry/chunk-limits.js';
import { describeAnswer, parseOciErrors } from '../../../src/registry/registry-errors.js';
import { RetryPolicy, isRetryableNetworkError, isRetryableStatus, parseRetryAfter } from '../../../src/registry/retry-policy.js';
import { redactUrl, resolveLocation, withQuery } from '../../../src/registry/urls.js';

const MiB = 1024 * 1024;

describe('chunk size', () => {
  it.each([
    ['the configured size without limits', { configured: 96 * MiB, known: {} }, 96 * MiB],
    ['lowered by the registry maximum', { configured: 96 * MiB, known: {}, serverMax: 10 * MiB }, 10 * MiB],
    ['never raised by the registry maximum', { configured: 8 * MiB, known: {}, serverMax: 100 * MiB }, 8 * MiB],
    ['lowered by a known host maximum', { configured: 96 * MiB, known: { maxChunk: 4 * MiB } }, 4 * MiB],
    ['raised to the registry minimum', { configured: 1 * MiB, known: {}, serverMin: 5 * MiB }, 5 * MiB],
    ['a maximum beats a minimum above it', { configured: 1 * MiB, known: { maxChunk: 4 * MiB }, serverMin: 5 * MiB }, 4 * MiB],
    ['ECR: 5–10 MiB', { configured: 96 * MiB, known: knownUploadLimits('123456789012.dkr.ecr.us-east-1.amazonaws.com') }, 10 * MiB],
  ])('%s', (_name, inputs, expected) => {
    expect(effectiveChunkSize(inputs)).toBe(expected);
  });

  it('knows the registries of users-and-registries.md by host', () => {
    expect(knownUploadLimits('ghcr.io')).toEqual({ maxChunk: 4 * MiB });
    expect(knownUploadLimits('us-docker.pkg.dev')).toEqual({ chunked: false });
    expect(knownUploadLimits('gcr.io').chunked).toBe(false);
    expect(knownUploadLimits('public.ecr.aws').lastChunkInPut).toBe(true);
    expect(knownUploadLimits('r8.im')).toEqual({});
    expect(knownUploadLimits('127.0.0.1:5000')).toEqual({});
    expect(knownUploadLimits('notghcr.io')).toEqual({});
  });

  it('reads Range in both spellings, and 0-0 as nothing held', () => {
    expect(parseRangeEnd('0-1048575')).toBe(MiB);
    expect(parseRangeEnd('bytes=0-99')).toBe(100);
    expect(parseRangeEnd('0-0')).toBe(0);
    expect(parseRangeEnd(undefined)).toBeUndefined();
    expect(parseRangeEnd('garbage')).toBeUndefined();
  });

  it('reads chunk-length headers as positive integers only', () => {
    expect(positiveIntegerHeader('5242880')).toBe(5 * MiB);
    expect(positiveIntegerHeader('0')).toBeUndefined();
    expect(positiveIntegerHeader('-1')).toBeUndefined();
    expect(positiveIntegerHeader('5MB')).toBeUndefined();
  });
});

describe('retry policy', () => {
  it('retries 408, 429 and 5xx except 501 and 505', () => {
    expect([408, 429, 499, 500, 502, 503, 504, 522].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 413, 416, 501, 505].some(isRetryableStatus)).toBe(false);
  });

  it('retries network failures along the cause chain, never an abort', () => {
    expect(isRetryableNetworkError(Object.assign(new Error('x'), { code: 'UND_ERR_SOCKET' }))).toBe(true);
    expect(isRetryableNetworkError(new Error('wrapped', { cause: Object.assign(new Error('y'), { code: 'ECONNRESET' }) }))).toBe(true);
    expect(isRetryableNetworkError(Object.assign(new Error('x'), { name: 'AbortError', code: 'ABORT_ERR' }))).toBe(false);
    expect(isRetryableNetworkError(Object.assign(new Error('x'), { code: 'ENOTFOUND' }))).toBe(false);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-03-01T12:00:00Z');
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter('Sun, 01 Mar 2026 12:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Sun, 01 Mar 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });

  it('backs off exponentially with full jitter, capped, and caps Retry-After', () => {
    const policy = new RetryPolicy({ baseDelayMs: 1000, maxDelayMs: 5000, maxRetryAfterMs: 30_000, random: () => 0.999 });
    expect([1, 2, 3, 4, 5].map((n) => policy.delayAfter(n))).toEqual([999, 1998, 3996, 4995, 4995]);
    expect(new RetryPolicy({ random: () => 0 }).delayAfter(3)).toBe(0);
    expect(policy.delayAfter(1, '3600')).toBe(30_000);
  });
});

describe('OCI error bodies', () => {
  it('parses the errors array into a message', () => {
    const errors = parseOciErrors(Buffer.from('{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry","detail":{"name":"x"}}]}'));
    expect(errors).toEqual([{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry', detail: { name: 'x' } }]);
    expect(describeAnswer(404, errors)).toBe('404 Not Found: NAME_UNKNOWN repository name not known to registry');
  });

  it('keeps proxy HTML pages out of messages', () => {
    expect(parseOciErrors(Buffer.from('<html><body>413 Request Entity Too Large</body></html>'))).toEqual([]);
    expect(describeAnswer(413, [])).toBe('413 Payload Too Large');
  });
});

describe('URLs', () => {
  it('resolves relative and absolute Locations against the request URL', () => {
    const base = new URL('http://127.0.0.1:5000/v2/a/blobs/uploads/?x=1');
    expect(resolveLocation(base, '/v2/a/blobs/uploads/u1?_state=s').href).toBe('http://127.0.0.1:5000/v2/a/blobs/uploads/u1?_state=s');
    expect(resolveLocation(base, 'u2').href).toBe('http://127.0.0.1:5000/v2/a/blobs/uploads/u2');
    expect(resolveLocation(base, 'https://storage.example/x').href).toBe('https://storage.example/x');
  });

  it('adds the digest to an upload URL keeping its state', () => {
    expect(withQuery(new URL('http://r/v2/a/blobs/uploads/u?_state=abc'), { digest: 'sha256:00' }).search).toBe('?_state=abc&digest=sha256%3A00');
  });

  it('redacts signatures, tokens and user info for --debug', () => {
    const text = redactUrl('https://user:pw@s3.example/b/k?X-Amz-Signature=abc123&X-Amz-Credential=AKIA&partNumber=2&access_token=t0k');
    expect(text).not.toMatch(/abc123|AKIA|t0k|pw@/);
    expect(text).toContain('partNumber=2');
  });
});
