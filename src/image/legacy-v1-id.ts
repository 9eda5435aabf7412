import { sha256Digest } from './verify.js';

/**
 * The legacy `docker save` format (Docker before 25) names each layer's folder by a "v1 ID", not by
 * its diff ID, and writes manifest.json (which gives the order) last. To know which layer a
 * `<v1 ID>/layer.tar` is before reading it, its `<v1 ID>/json` (written just before it) is used:
 * Docker derives the v1 ID from that JSON, the layer's chain ID and the parent's v1 ID
 * (moby `image/v1.CreateID`), so trying each position of the image identifies the layer exactly.
 */

/**
 * The position (0 = base) in the image of the layer described by a legacy `<v1 ID>/json`, or
 * undefined when no position reproduces its ID.
 */
export function legacyLayerPosition(v1Json: string, chainIds: readonly string[]): number | undefined {
  let members: Map<string, string>;
  try {
    members = rawJsonMembers(v1Json);
  } catch {
    return undefined;
  }
  const id = decodeString(members.get('id'));
  if (!id) return undefined;
  const parentHex = decodeString(members.get('parent'));
  // CreateID hashes the v1 JSON as it was before `id` and `parent` were filled in, and, for every
  // layer but the top one, before `os` was. The parent goes in as a digest.
  members.delete('id');
  members.delete('parent');
  const withoutOs = new Map(members);
  withoutOs.delete('os');
  for (const [position, chainId] of chainIds.entries()) {
    for (const candidate of [withoutOs, members]) {
      const hashed = new Map(candidate);
      hashed.set('layer_id', JSON.stringify(chainId));
      if (parentHex) hashed.set('parent', JSON.stringify(`sha256:${parentHex}`));
      if (sha256Digest(goMarshalMap(hashed)) === `sha256:${id}`) return position;
    }
  }
  return undefined;
}

/** Go's json.Marshal of a map[string]*json.RawMessage: keys sorted, values as they are. */
function goMarshalMap(members: Map<string, string>): string {
  const keys = [...members.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return `{${keys.map((key) => `${JSON.stringify(key)}:${members.get(key)}`).join(',')}}`;
}

function decodeString(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const value = JSON.parse(raw) as unknown;
  return typeof value === 'string' ? value : undefined;
}

/**
 * The top-level members of a JSON object, each value as its raw text. Re-serialising parsed
 * values would change their bytes (number forms, Go's `\u003c` escapes) and so the hash.
 */
export function rawJsonMembers(text: string): Map<string, string> {
  const members = new Map<string, string>();
  let at = skipSpace(text, 0);
  if (text[at] !== '{') throw new SyntaxError('not a JSON object');
  at = skipSpace(text, at + 1);
  if (text[at] === '}') return members;
  for (;;) {
    const keyEnd = endOfString(text, at);
    const key = JSON.parse(text.slice(at, keyEnd)) as string;
    at = skipSpace(text, keyEnd);
    if (text[at] !== ':') throw new SyntaxError(`expected ':' at ${at}`);
    const valueStart = skipSpace(text, at + 1);
    const valueEnd = endOfValue(text, valueStart);
    members.set(key, text.slice(valueStart, valueEnd));
    at = skipSpace(text, valueEnd);
    if (text[at] === '}') return members;
    if (text[at] !== ',') throw new SyntaxError(`expected ',' or '}' at ${at}`);
    at = skipSpace(text, at + 1);
  }
}

function skipSpace(text: string, at: number): number {
  while (at < text.length && ' \t\r\n'.includes(text[at]!)) at++;
  return at;
}

/** Index just past the string literal starting at `at`. */
function endOfString(text: string, at: number): number {
  if (text[at] !== '"') throw new SyntaxError(`expected a string at ${at}`);
  for (let i = at + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i + 1;
  }
  throw new SyntaxError('unterminated string');
}

/** Index just past the value starting at `at` (object, array, string or scalar). */
function endOfValue(text: string, at: number): number {
  if (text[at] === '"') return endOfString(text, at);
  if (text[at] !== '{' && text[at] !== '[') {
    let i = at;
    while (i < text.length && !',}] \t\r\n'.includes(text[i]!)) i++;
    return i;
  }
  let depth = 0;
  for (let i = at; i < text.length; i++) {
    const c = text[i];
    if (c === '"') i = endOfString(text, i) - 1;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  throw new SyntaxError('unterminated value');
}
