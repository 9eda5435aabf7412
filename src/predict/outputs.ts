import { accessSync, constants, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';
import { resolveUserPath } from './inputs.js';
import { extensionByType } from './mime.js';

/**
 * Where outputs go and how files come out of data URLs (predict.md §1.8). The user's `-o` is
 * trusted as given; nothing the model sends (a MIME type, a name) can move a file elsewhere.
 */

/** `-o` (a leading `@` dropped, `~` expanded) or the fallback name, checked before the prediction runs. */
export function chooseOutputPath(given: string | undefined, fallback: string, cwd: string): string {
  const usingFallback = !given;
  const target = resolveUserPath(usingFallback ? fallback : given.replace(/^@/, ''), cwd);
  let info;
  try {
    info = statSync(target);
  } catch {
    requireWritable(path.dirname(target), `Output directory is not writable: ${path.dirname(target)}`);
    return target;
  }
  if (info.isDirectory()) {
    if (usingFallback) throw new UserError(`Default output name "${target}" conflicts with directory, provide --output`);
    requireWritable(target, `Output directory is not writable: ${target}`);
    return path.join(target, path.basename(fallback));
  }
  requireWritable(target, `Output path is not writable: ${target}`);
  return target;
}

function requireWritable(target: string, message: string): void {
  try {
    accessSync(target, constants.W_OK);
  } catch (error) {
    throw new UserError(message, { cause: error });
  }
}

/** A data URL's bytes and type. `data:None;base64,` (old runtimes) and malformed headers fall back to the bytes after the comma. */
export function decodeDataUrl(url: string): { mimeType: string; bytes: Buffer } {
  if (!url.startsWith('data:')) throw new UserError(`Failed to decode output: not a data URL (${url.slice(0, 60)}${url.length > 60 ? '…' : ''})`);
  const comma = url.indexOf(',');
  if (comma < 0) throw new UserError('Failed to split data URL into 2 parts');
  const header = url.slice(5, comma);
  const data = url.slice(comma + 1);
  const params = header.split(';');
  const mimeType = params[0] && params[0] !== 'None' && /^[\w.+-]+\/[\w.+-]+$/.test(params[0]) ? params[0] : '';
  const bytes = params.includes('base64') || !header ? Buffer.from(data, 'base64') : Buffer.from(decodeURIComponent(data), 'utf8');
  return { mimeType, bytes };
}

/**
 * The file for one output: the destination's own extension when it has one (an all-digit one such
 * as `.0` does not count), else one derived from the MIME type. The result is always in the
 * destination's directory.
 */
export function fileForOutput(destination: string, mimeType: string): string {
  const dir = path.dirname(destination);
  let ext = path.extname(destination);
  let name = path.basename(destination, ext);
  if (/^\.\d+$/.test(ext)) {
    name = path.basename(destination);
    ext = '';
  }
  if (!ext) ext = extensionByType(mimeType);
  return insideDirectory(dir, `${name}${ext}`);
}

/** Item `i` of a list of files: `output.png` → `output.0.png`, `output` → `output.0` (the type adds the extension). */
export function itemDestination(destination: string, index: number): string {
  const ext = path.extname(destination);
  return `${destination.slice(0, destination.length - ext.length)}.${index}${ext}`;
}

/**
 * `dir/name`, refused unless it is a plain file name in `dir`: no separators, no `..`, nothing
 * absolute. The last guard between a model's answer and the user's disk.
 */
export function insideDirectory(dir: string, name: string): string {
  if (!name || name === '.' || name === '..' || name.includes('/') || name.includes('\\') || name.includes('\0')) {
    throw new UserError(`refusing to write an output named "${name}": not a plain file name`);
  }
  const target = path.resolve(dir, name);
  if (path.dirname(target) !== path.resolve(dir)) throw new UserError(`refusing to write an output outside ${dir}: "${name}"`);
  return target;
}

/** Decodes a data URL into its file next to `destination`, as upstream does (mode 0755), and returns the path. */
export async function writeFileOutput(url: string, destination: string): Promise<string> {
  const { mimeType, bytes } = decodeDataUrl(url);
  const file = fileForOutput(destination, mimeType);
  await writeFile(file, bytes, { mode: 0o755 });
  return file;
}

/** Non-string outputs as upstream prints them: JSON with two-space indentation. */
export function formatJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
