/**
 * Which torch / torchvision / TensorFlow build of a pinned version to install for a build's CUDA
 * (spec cog-yaml.md §5.5, the matrix side of requirements rewriting).
 */
import { type TorchRow, tensorflowRows, torchRows } from './matrix.js';
import { satisfies } from './pep440.js';
import { compareVersions, equal, greater, matches, stripMetadata } from './version.js';

/** PEP 440 equality of two releases with their local labels dropped (`2.3` equals `2.3.0`). */
function sameRelease(a: string, b: string): boolean {
  return satisfies(stripMetadata(a), `==${stripMetadata(b)}`);
}

/** The highest-CUDA row among `rows` whose CUDA is at most `cuda`, ties broken by `tieBreak`. */
function newestCudaRow(rows: readonly TorchRow[], cuda: string, tieBreak: (a: TorchRow, b: TorchRow) => number): TorchRow | undefined {
  const usable = rows.filter((row) => row.cuda !== undefined && !greater(row.cuda, cuda));
  return usable.reduce<TorchRow | undefined>((best, row) => {
    if (!best) return row;
    const order = compareVersions(row.cuda ?? '', best.cuda ?? '') || tieBreak(row, best);
    return order > 0 ? row : best;
  }, undefined);
}

/**
 * The torch wheel for a GPU build: among rows matching `torch` (`2.3` matches 2.3.0 and 2.3.1; a
 * `+cu118` label is ignored, so the build's CUDA decides), the highest CUDA not above `cuda`, then
 * the highest torch.
 */
export function torchGpuWheel(torch: string, cuda: string): TorchRow | undefined {
  const rows = torchRows().filter((row) => matches(row.torch, torch));
  return newestCudaRow(rows, cuda, (a, b) => compareVersions(stripMetadata(a.torch), stripMetadata(b.torch)));
}

/** The CPU torch wheel of the same release (`2.3` = `2.3.0`, local labels such as `+cpu` ignored). */
export function torchCpuWheel(torch: string): TorchRow | undefined {
  return torchRows().find((row) => row.cuda === undefined && sameRelease(row.torch, torch));
}

/** The torchvision wheel for a GPU build: that release, the highest CUDA not above `cuda`. */
export function torchvisionGpuWheel(torchvision: string, cuda: string): TorchRow | undefined {
  const rows = torchRows().filter((row) => sameRelease(row.torchvision, torchvision));
  return newestCudaRow(rows, cuda, () => 0);
}

/** The CPU torchvision wheel of that release. */
export function torchvisionCpuWheel(torchvision: string): TorchRow | undefined {
  return torchRows().find((row) => row.cuda === undefined && sameRelease(row.torchvision, torchvision));
}

/** The GPU package (`tensorflow==2.12.0`) when the matrix has that exact version for exactly this CUDA. */
export function tensorflowGpuPackage(tensorflow: string, cuda: string): string | undefined {
  return tensorflowRows().find((row) => row.version === tensorflow && equal(row.cuda, cuda))?.gpuPackage;
}
