import type { Problem } from './report.js';

/**
 * `environment:` entries (spec cog-yaml.md §3.4): `NAME=value`, split on the first `=`, the value
 * kept verbatim. Some names belong to the runtime, the GPU stack or Replicate's platform.
 */

/** Upstream's schema pattern, with `[^\n]` for Go's `.` (which stops only at a newline). */
export const environmentEntryPattern = /^[A-Za-z_][A-Za-z0-9_]*=[^\n]*$/;

const reservedNames = new Set([
  'PATH',
  'LD_LIBRARY_PATH',
  'PYTHONPATH',
  'VIRTUAL_ENV',
  'PYTHONUNBUFFERED',
  'LIBRARY_PATH',
  'HF_ENDPOINT',
  'HF_HUB_ENABLE_HF_TRANSFER',
]);
const reservedPrefixes = ['R8_', 'REPLICATE_', 'CUDA_', 'NVIDIA_', 'NV_', 'PGET_', 'KUBERNETES_'];

export interface EnvironmentVariable {
  name: string;
  value: string;
}

export function splitEnvironmentEntry(entry: string): EnvironmentVariable {
  const eq = entry.indexOf('=');
  return eq < 0 ? { name: entry, value: '' } : { name: entry.slice(0, eq), value: entry.slice(eq + 1) };
}

/** What is wrong with the form of one entry, or undefined when it is `NAME=value`. */
export function environmentEntryProblem(entry: string): Problem | undefined {
  if (environmentEntryPattern.test(entry)) return undefined;
  const notKeyValue = { message: `environment variable ${JSON.stringify(entry)} is not in the KEY=VALUE format`, hint: 'write it as NAME=value' };
  const { name, value } = splitEnvironmentEntry(entry);
  if (!entry.includes('=') || name === '') return notKeyValue;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    return { message: `environment variable name ${JSON.stringify(name)} is not valid`, hint: 'use letters, digits and _, not starting with a digit' };
  }
  if (value.includes('\n')) {
    return { message: `environment variable ${JSON.stringify(name)} has a line break in its value`, hint: 'the value must fit on one line' };
  }
  return notKeyValue;
}

/** Why a well-formed name may not be set, or undefined when it may. */
export function reservedNameProblem(name: string): Problem | undefined {
  const prefix = reservedPrefixes.find((p) => name.startsWith(p));
  if (!reservedNames.has(name) && !prefix) return undefined;
  const why = prefix ? `all names starting with ${prefix} are reserved; ` : '';
  return { message: `environment variable ${JSON.stringify(name)} is not allowed: reserved for internal use`, hint: `${why}choose another name` };
}
