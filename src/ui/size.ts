import { UserError } from '../errors.js';

const units: Record<string, number> = {
  b: 1, k: 1e3, kb: 1e3, kib: 1024, m: 1e6, mb: 1e6, mib: 1024 ** 2, g: 1e9, gb: 1e9, gib: 1024 ** 3,
};

/** Reads a size as people write it: `10MiB`, `500MB`, `1.5G`, `1048576`. */
export function parseSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const factor = units[(match?.[2] ?? '').toLowerCase() || 'b'];
  if (!match || factor === undefined) {
    throw new UserError(`"${text}" is not a size`, { hint: 'write it like 10MiB, 500MB or 1GiB', exitCode: 2 });
  }
  return Math.round(Number(match[1]) * factor);
}
