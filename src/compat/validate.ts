/**
 * A self-check of the matrix data: every torch and TensorFlow row must lead a GPU build to an
 * existing nvidia/cuda image (and torch rows to their own wheel), or be on the known-bad list with
 * the reason. Run by the unit tests and by scripts/validate-compat.mjs after a data refresh.
 */
import { cudaBaseImageFor } from './base-image.js';
import { droppedTorchRows, type TensorflowRow, tensorflowRows, type TorchRow, torchRows } from './matrix.js';
import { imagePairForTensorflow, resolveCuda } from './resolve.js';
import { stripMetadata } from './version.js';
import { torchCpuWheel, torchGpuWheel } from './wheels.js';

export type FindingStatus =
  /** Resolves as the data says. */
  | 'ok'
  /** Resolves, to something other than the row's own pair (see `reason`). */
  | 'adjusted'
  /** Does not resolve, and is known not to (see `reason`). */
  | 'known-bad'
  /** Does not resolve and nobody said why: the data or the code needs a look. */
  | 'unresolvable';

export interface Finding {
  framework: 'torch' | 'tensorflow';
  /** The row's version as published (`2.3.1+cu121`). */
  version: string;
  /** The row's CUDA, undefined for a CPU row. */
  cuda: string | undefined;
  /** The base image a GPU build of it gets, when one resolves. */
  image: string | undefined;
  status: FindingStatus;
  reason?: string;
}

/** Rows that cannot resolve, with why. Keyed `<framework> <version>`. */
export const knownBadRows: Readonly<Record<string, string>> = {
  'torch 1.11.0+cu102': 'CUDA 10.2 has no nvidia/cuda cuDNN devel image (and Cog needs CUDA ≥ 11); dropped at load, as upstream does',
  'torch 1.12.0+cu102': 'CUDA 10.2 has no nvidia/cuda cuDNN devel image (and Cog needs CUDA ≥ 11); dropped at load, as upstream does',
  'torch 1.12.1+cu102': 'CUDA 10.2 has no nvidia/cuda cuDNN devel image (and Cog needs CUDA ≥ 11); dropped at load, as upstream does',
};

function problemOf(check: () => void): string | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function torchFinding(row: TorchRow, dropped: boolean): Finding {
  const finding: Finding = { framework: 'torch', version: row.torch, cuda: row.cuda, image: undefined, status: 'ok' };
  let problem: string | undefined;
  if (dropped) {
    problem = `no base image carries CUDA ${row.cuda}`;
  } else if (row.cuda === undefined) {
    const wheel = torchCpuWheel(row.torch);
    if (stripMetadata(wheel?.torch ?? '') !== stripMetadata(row.torch)) problem = 'a CPU build does not select this wheel';
  } else {
    const cuda = row.cuda;
    problem = problemOf(() => {
      // Building for the row's own CUDA must pick this very wheel and an existing image...
      const own = resolveCuda({ gpu: true, cuda, pythonVersion: '3.12', frameworks: { torch: row.torch } });
      finding.image = cudaBaseImageFor(cuda, own.cudnn ?? '');
      const wheel = torchGpuWheel(row.torch, cuda);
      if (wheel !== row) throw new Error(`a build for CUDA ${cuda} selects ${wheel?.torch ?? 'no wheel'} instead`);
      // ...and so must a build that leaves CUDA to cog.
      const auto = resolveCuda({ gpu: true, pythonVersion: '3.12', frameworks: { torch: row.torch } });
      cudaBaseImageFor(auto.cuda ?? '', auto.cudnn ?? '');
    });
  }
  return settle(finding, problem);
}

function tensorflowFinding(row: TensorflowRow): Finding {
  const finding: Finding = { framework: 'tensorflow', version: row.version, cuda: row.cuda, image: undefined, status: 'ok' };
  const problem = problemOf(() => {
    const resolution = resolveCuda({ gpu: true, pythonVersion: '3.12', frameworks: { tensorflow: row.version } });
    finding.image = cudaBaseImageFor(resolution.cuda ?? '', resolution.cudnn ?? '');
  });
  const adjustment = imagePairForTensorflow(row).warning;
  if (!problem && adjustment) return { ...finding, status: 'adjusted', reason: adjustment };
  return settle(finding, problem);
}

function settle(finding: Finding, problem: string | undefined): Finding {
  if (!problem) return finding;
  const known = knownBadRows[`${finding.framework} ${finding.version}`];
  return known ? { ...finding, status: 'known-bad', reason: known } : { ...finding, status: 'unresolvable', reason: problem };
}

/** One finding per torch row (including those dropped at load) and per TensorFlow row. */
export function validateMatrix(): Finding[] {
  return [
    ...torchRows().map((row) => torchFinding(row, false)),
    ...droppedTorchRows().map((row) => torchFinding(row, true)),
    ...tensorflowRows().map(tensorflowFinding),
  ];
}
