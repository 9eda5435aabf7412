import { UserError } from '../errors.js';
import type { BaseImageFlags } from '../workflows/plan.js';
import type { OptionSpec } from './define.js';

/** The base-image flags of `cog build`, `cog debug` and the run commands, declared once. */
export const baseImageOptions: OptionSpec[] = [
  {
    flags: '--use-cog-base-image [bool]',
    description: 'use a pre-built Cog base image (default: when one exists for this configuration)',
  },
  {
    flags: '--use-cuda-base-image <value>',
    description: 'use an nvidia/cuda base image for GPU models: auto, true or false',
    defaultValue: 'auto',
  },
];

/** Reads the parsed flags; upstream accepts them once each and not together when both are explicit. */
export function readBaseImageFlags(options: Record<string, unknown>): BaseImageFlags {
  const cog = options.useCogBaseImage;
  const cuda = String(options.useCudaBaseImage ?? 'auto');
  return {
    useCogBaseImage: cog === undefined ? undefined : parseBool('--use-cog-base-image', cog),
    useCudaBaseImage: cuda === 'auto' ? undefined : parseBool('--use-cuda-base-image', cuda),
  };
}

function parseBool(flag: string, value: unknown): boolean {
  if (value === true) return true;
  const text = String(value).toLowerCase();
  if (['true', '1', 'yes'].includes(text)) return true;
  if (['false', '0', 'no'].includes(text)) return false;
  throw new UserError(`${flag} takes true or false, not "${String(value)}"`, { exitCode: 2 });
}
