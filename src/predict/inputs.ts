import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { UserError } from '../errors.js';
import { formatBytes } from '../ui/format.js';
import { typeByExtension } from './mime.js';
import { acceptedTypes, isNode, itemSchema, resolveNode, type SchemaNode } from './schema.js';
import { checkValue } from './validate.js';

/**
 * Inputs from the command line to the JSON the runtime takes (predict.md §1.5): `-i name=value`
 * coerced by the input's schema, `-i name=@file` and `--json` values `"@file"` sent as data URLs.
 */

/** The runtime refuses request bodies over 100 MiB; base64 makes a file 4/3 as large. */
const maxFileBytes = Math.floor((100 * 1024 * 1024 * 3) / 4) - 64 * 1024;

export interface InputFiles {
  /** Relative `@paths` are read from here. */
  cwd: string;
  /** Reads the whole of stdin (`--json -` or `@-`). */
  readStdin?: () => Promise<string>;
}

/** `-i` values grouped by name, in the order given; a repeated name becomes a list. */
export function parseInputFlags(flags: string[]): Map<string, string[]> {
  const grouped = new Map<string, string[]>();
  for (const flag of flags) {
    const at = flag.indexOf('=');
    if (at < 0) throw new UserError(`Failed to parse input '${flag}', expected format is 'name=value'`);
    const name = flag.slice(0, at);
    let value = flag.slice(at + 1);
    // One pair of surrounding double quotes is dropped, as upstream does (`-i 'text="hi"'`).
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    grouped.set(name, [...(grouped.get(name) ?? []), value]);
  }
  return grouped;
}

/**
 * Turns grouped `-i` values into the input object: files read into data URLs, everything else
 * coerced to what the input's schema accepts. Without a schema every value is a string.
 */
export async function materializeFlagInputs(
  grouped: Map<string, string[]>,
  options: InputFiles & { document?: SchemaNode | undefined; component?: SchemaNode | undefined },
): Promise<Record<string, unknown>> {
  const properties = options.component && isNode(options.component.properties) ? options.component.properties : {};
  const inputs: Record<string, unknown> = {};
  for (const [name, values] of grouped) {
    const property = properties[name];
    const schema = isNode(property) && options.document ? { document: options.document, node: property } : undefined;
    if (values.length > 1) {
      const items = schema ? itemSchema(schema.document, schema.node) : undefined;
      inputs[name] = await Promise.all(values.map((v) => flagValue(v, schema && items ? { document: schema.document, node: items } : undefined, options)));
    } else {
      inputs[name] = await flagValue(values[0]!, schema, options);
    }
  }
  return inputs;
}

type Located = { document: SchemaNode; node: SchemaNode };

async function flagValue(text: string, schema: Located | undefined, files: InputFiles): Promise<unknown> {
  if (text.startsWith('@')) return fileDataUrl(text.slice(1), files);
  return schema ? coerceFlagValue(text, schema.node, schema.document) : text;
}

/** One `-i` value as its schema wants it (upstream's rules, §1.5). */
export function coerceFlagValue(text: string, node: SchemaNode, document: SchemaNode): unknown {
  const types = acceptedTypes(document, node);
  const resolved = resolveNode(document, node);
  if (types.size === 1 && types.has('object')) return parseJsonOr(text, text);
  if (types.has('array')) {
    if (text.trimStart().startsWith('[')) {
      const parsed = parseJsonOr(text, undefined);
      if (Array.isArray(parsed)) return parsed;
    }
    if (types.has('string')) return text;
    const items = itemSchema(document, resolved);
    return [items ? coerceFlagValue(text, items, document) : text];
  }
  const coerced = coerceScalar(text, types);
  // For a union with a string, a coerced value counts only if it is valid (`size: int | str`, "3x3").
  if (coerced !== text && types.has('string') && checkValue(coerced, node, 'x', document).length > 0) return text;
  return coerced;
}

function coerceScalar(text: string, types: Set<string>): unknown {
  if ((text === 'true' || text === 'false') && types.has('boolean')) return text === 'true';
  // Upstream parses an int32; a bigger integer stays a string (and fails validation): use --json.
  if (/^[+-]?\d+$/.test(text) && (types.has('integer') || types.has('number'))) {
    const value = Number(text);
    if (value >= -(2 ** 31) && value < 2 ** 31) return value;
  }
  if (/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(text) && types.has('number')) {
    const value = Number(text);
    if (Number.isFinite(value)) return value;
  }
  return text;
}

function parseJsonOr<T>(text: string, fallback: T): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return fallback;
  }
}

/** `--json` text: inline JSON, `@file.json`, `@-` or `-` (stdin). Must be an object. */
export async function readJsonInputs(argument: string, files: InputFiles): Promise<Record<string, unknown>> {
  let text: string;
  if (argument === '-' || argument === '@-') {
    if (!files.readStdin) throw new UserError('--json -: no stdin to read');
    text = await files.readStdin();
  } else if (argument.startsWith('@')) {
    const file = resolveUserPath(argument.slice(1), files.cwd);
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new UserError(`Failed to read JSON from file "${argument.slice(1)}": ${(error as Error).message}`, { cause: error });
    }
  } else {
    text = argument;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UserError(`Failed to parse JSON: ${(error as Error).message}`, { cause: error });
  }
  if (!isNode(parsed)) throw new UserError('Failed to parse JSON: --json takes an object of inputs, e.g. {"prompt": "hi"}');
  return parsed;
}

/** `--json`: every top-level string that starts with `@` is a file, sent as a data URL. Nested values are left alone, as upstream. */
export async function materializeJsonInputs(inputs: Record<string, unknown>, files: InputFiles): Promise<Record<string, unknown>> {
  const result: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(inputs)) {
    result[name] = typeof value === 'string' && value.startsWith('@') ? await fileDataUrl(value.slice(1), files) : value;
  }
  return result;
}

/** `~` and relative paths, as a shell user means them. */
export function resolveUserPath(given: string, cwd: string): string {
  const expanded = given === '~' ? homedir() : given.startsWith('~/') ? path.join(homedir(), given.slice(2)) : given;
  return path.resolve(cwd, expanded);
}

/** A local file as `data:<type>;base64,…`, the type from its extension. */
export async function fileDataUrl(given: string, files: InputFiles): Promise<string> {
  const file = resolveUserPath(given, files.cwd);
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new UserError(`Failed to read file "${given}": not a regular file`);
    size = info.size;
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`Failed to read file "${given}": ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`, { cause: error });
  }
  if (size > maxFileBytes) {
    throw new UserError(`file "${given}" is ${formatBytes(size)}: inputs travel inside the request as base64, and the runtime accepts at most 100 MiB`, {
      hint: 'pass a URL to the file instead (-i name=https://…), which the model downloads itself',
    });
  }
  const bytes = await readFile(file);
  return `data:${typeByExtension(file)};base64,${bytes.toString('base64')}`;
}
