/**
 * Secrets never reach a log line. The logger passes every line through here, so callers do not
 * have to remember to (style.md, "Errors").
 */
const patterns: Array<[RegExp, string]> = [
  // Authorization headers of any scheme.
  [/(authorization:\s*)(\w+\s+)?\S+/gi, '$1$2[REDACTED]'],
  // user:password@ in URLs.
  [/([a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+:[^/\s@]+@/gi, '$1[REDACTED]@'],
  // key=value and "key": "value" for secret-looking keys.
  [/\b(password|passwd|token|secret|access_token|refresh_token|identitytoken)(["']?\s*[:=]\s*["']?)[^\s"',&]+/gi, '$1$2[REDACTED]'],
];

/** Extra literal values to hide, e.g. a token read from a credential helper. */
const knownSecrets = new Set<string>();

export function registerSecret(value: string): void {
  if (value.length >= 4) knownSecrets.add(value);
}

export function redact(text: string): string {
  let out = text;
  for (const secret of knownSecrets) out = out.split(secret).join('[REDACTED]');
  for (const [pattern, replacement] of patterns) out = out.replace(pattern, replacement);
  return out;
}
