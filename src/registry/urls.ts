import { redact } from '../ui/redact.js';

/**
 * A `Location` header resolved against the URL of the request that received it. Registries send
 * both forms: distribution sends absolute URLs, others a path (`/v2/…/uploads/<id>?_state=…`), and
 * the spec allows either. The URL is used exactly as given: never rebuilt from parts, since
 * `_state` and similar query parameters change on every step of an upload.
 */
export function resolveLocation(requestUrl: URL | string, location: string): URL {
  return new URL(location, requestUrl);
}

/** The path of a URL without its query, for error messages (queries carry upload state and signatures). */
export function requestPath(url: URL | string): string {
  return new URL(url).pathname;
}

/** Query parameters whose values are secrets or signatures (S3/GCS/Azure presigned URLs, tokens). */
const secretQueryKey = /sig|signature|token|secret|password|credential|key|auth|code|_state/i;

/**
 * A URL fit for a --debug line: user info dropped, secret-looking query values replaced, and the
 * literal secrets the process knows of removed.
 */
export function redactUrl(url: URL | string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  for (const key of [...parsed.searchParams.keys()]) {
    if (secretQueryKey.test(key)) parsed.searchParams.set(key, 'REDACTED');
  }
  return redact(parsed.toString());
}

/** Appends query parameters to a URL, keeping the ones it has (e.g. `_state` on an upload URL). */
export function withQuery(url: URL, params: Record<string, string>): URL {
  const out = new URL(url);
  for (const [key, value] of Object.entries(params)) out.searchParams.set(key, value);
  return out;
}
