/**
 * CUDA/cuDNN resolution for GPU builds (spec cog-yaml.md §5.3): from `build.cuda`/`build.cudnn`,
 * the pinned TensorFlow or torch, and the matrix. TensorFlow wins over torch because its binaries
 * need the system's CUDA and cuDNN; torch wheels bundle their own.
 *
 * Deliberate differences from upstream (docs/compat-deviations.md): the TensorFlow warning fires
 * when the CUDA minor differs (upstream's condition is inverted), CUDA lists are ordered as versions
 * (upstream sorts strings), and a TensorFlow whose (CUDA, cuDNN) pair no nvidia/cuda image carries
 * is moved to a pair that one does.
 */
import { UserError } from '../errors.js';
import { cudaImages, cudnnsForCuda, imageCudas, type TensorflowRow, tensorflowRow, torchRows } from './matrix.js';
import type { CompatInput, CudaResolution } from './types.js';
import { equalMinor, highestVersion, matches, parseVersion, sortVersions, stripPatch } from './version.js';

/** The Python of a build whose cog.yaml sets no `build.python_version` (upstream's default). */
export const defaultPythonVersion = '3.13';

/** Upstream's CUDA for GPU builds that pin neither torch nor TensorFlow (quirk 14, kept). */
export const defaultCuda = '11.8';

const minimumCudaMajor = 11;

export function resolveCuda(input: CompatInput): CudaResolution {
  const cuda = input.cuda || undefined;
  const cudnn = input.cudnn || undefined;
  if (!input.gpu) return { cuda, cudnn, warnings: [] };

  if (cuda) validateCudaVersion(cuda);
  if (cuda && cudnn) {
    const compatible = cudnnsForCuda(cuda);
    if (!compatible.includes(cudnn)) {
      throw new UserError(
        `the specified CUDA version ${cuda} is not compatible with CuDNN ${cudnn}.\nCompatible CuDNN versions are: ${compatible.join(',')}`,
        { hint: compatible.length ? `set cudnn: "${compatible.at(-1)}" or remove it from cog.yaml` : cudaChoicesHint() },
      );
    }
  }

  const { torch, tensorflow } = input.frameworks;
  // Checked before TensorFlow takes over, as upstream does: an unpinned torch is an error either way.
  const torchCudas = torch === undefined ? undefined : cudasFromTorch(torch, cuda);
  if (tensorflow !== undefined) return resolveForTensorflow(tensorflow, cuda, cudnn);
  if (torch !== undefined && torchCudas) return resolveForTorch(torch, torchCudas, cuda, cudnn);
  const resolved = cuda ?? defaultCuda;
  return { cuda: resolved, cudnn: cudnn ?? latestCudnnForCuda(resolved), warnings: [] };
}

/** The complete-time checks of a user's `cuda:` (spec §3.6); these do check that the minor is numeric. */
export function validateCudaVersion(cuda: string): void {
  const parts = cuda.split('.');
  if (parts.length < 2) throw new UserError(`CUDA version "${cuda}" must include both major and minor versions`);
  const [major = '', minor = ''] = parts;
  if (!/^\d+$/.test(major)) throw new UserError(`invalid major version in CUDA version "${cuda}"`);
  if (!/^\d+$/.test(minor)) throw new UserError(`invalid minor version in CUDA version "${cuda}"`);
  if (Number(major) < minimumCudaMajor) {
    throw new UserError(`minimum supported CUDA version is ${minimumCudaMajor}, requested "${cuda}"`, {
      hint: cudaChoicesHint(),
    });
  }
}

/**
 * The CUDAs the matrix has torch wheels for, ordered as versions. A `+cuXYZ` suffix selects that
 * CUDA when a wheel exists for it; otherwise the suffix is ignored, as any other metadata.
 */
export function cudasFromTorch(torch: string, cuda?: string): string[] {
  if (torch === '') {
    // Setting cuda: does not help (upstream checks torch's version either way): say what does.
    const why = cuda
      ? `cuda: "${cuda}" is set, but the build still needs torch's version to install the torch wheel built for that CUDA`
      : "the build reads torch's version to pick CUDA and the torch wheel built for it";
    throw new UserError('torch version must be specified when using CUDA', {
      hint: `pin torch in your requirements, e.g. torch==2.3.1: ${why}`,
    });
  }
  const rows = torchRows().filter((row) => row.cuda !== undefined && matches(torch, row.torch));
  const suffixCuda = cudaFromLocalLabel(torch);
  if (suffixCuda && rows.some((row) => row.cuda === suffixCuda)) return [suffixCuda];
  return sortVersions(new Set(rows.map((row) => row.cuda as string)));
}

/** `2.0.1+cu118` → `11.8`, `+cu92` → `9.2` (the last digit is the minor); else undefined. */
export function cudaFromLocalLabel(version: string): string | undefined {
  const digits = /\+cu(\d{2,})$/.exec(version)?.[1];
  return digits ? `${Number(digits.slice(0, -1))}.${digits.slice(-1)}` : undefined;
}

function resolveForTensorflow(tensorflow: string, cuda: string | undefined, cudnn: string | undefined): CudaResolution {
  const row = tensorflowRow(tensorflow);
  const warnings: string[] = [];
  let resolvedCuda: string;
  let tensorflowCudnn = row?.cudnn;
  if (cuda === undefined) {
    if (!row) throw unknownFrameworkError(`tensorflow==${tensorflow}`, 'https://www.tensorflow.org/');
    const pair = imagePairForTensorflow(row);
    resolvedCuda = pair.cuda;
    tensorflowCudnn = pair.cudnn;
    if (pair.warning) warnings.push(pair.warning);
  } else {
    // A different major cannot work at all: upstream rejects it when validating cog.yaml.
    if (row && parseVersion(row.cuda)?.major !== parseVersion(cuda)?.major) {
      throw new UserError(`TensorFlow ${tensorflow} is incompatible with CUDA ${cuda}: TensorFlow ${tensorflow} requires CUDA ${row.cuda}`, {
        hint: `set cuda: "${row.cuda}" in cog.yaml, or remove cuda: and let cog pick it`,
      });
    }
    resolvedCuda = cuda;
    // Upstream warns when the minors are EQUAL (quirk 1); a differing minor is what deserves it.
    if (!row || !equalMinor(row.cuda, cuda)) {
      const suggestion = row ? ` Try ${row.cuda} instead?` : '';
      warnings.push(
        `Cog doesn't know if CUDA ${cuda} is compatible with Tensorflow ${tensorflow}. This might cause CUDA problems.${suggestion}`,
      );
    }
  }

  if (cudnn === undefined) {
    return { cuda: resolvedCuda, cudnn: tensorflowCudnn ?? latestCudnnForCuda(resolvedCuda), warnings };
  }
  if (cudnn !== row?.cudnn) {
    throw new UserError(
      `the specified cuDNN version ${cudnn} is not compatible with tensorflow==${tensorflow}.\nCompatible cuDNN version is: ${row?.cudnn ?? ''}`,
      { hint: row ? `set cudnn: "${row.cudnn}" or remove it from cog.yaml` : 'remove cudnn: from cog.yaml' },
    );
  }
  return { cuda: resolvedCuda, cudnn, warnings };
}

/**
 * TensorFlow's own (CUDA, cuDNN) when some nvidia/cuda image carries that pair. When none does
 * (TF 2.16.1 and 2.17.0 want CUDA 12.3 with cuDNN 8, but the 12.3 images carry cuDNN 9 only —
 * quirk 9), keep the cuDNN and move CUDA to the nearest minor of the same major that has it:
 * cuDNN's major is a hard ABI line (TF dlopens libcudnn.so.8 and fails on .so.9), whereas the CUDA
 * 12.x runtime libraries share one soname (.so.12) and NVIDIA keeps minor versions compatible. On a
 * tie the newer CUDA wins (newer runtimes run code built for older ones). Only when no minor of that
 * major carries the cuDNN does TF's CUDA stay, with the cuDNN its images have.
 */
export function imagePairForTensorflow(row: TensorflowRow): { cuda: string; cudnn: string; warning?: string } {
  const carries = (cuda: string, cudnn: string) => cudaImages().some((image) => matches(cuda, image.cuda) && image.cudnn === cudnn);
  if (carries(row.cuda, row.cudnn)) return { cuda: row.cuda, cudnn: row.cudnn };
  const wanted = parseVersion(row.cuda);
  const minorOf = (cuda: string) => parseVersion(cuda)?.minor ?? 0;
  const distance = (cuda: string) => Math.abs(minorOf(cuda) - (wanted?.minor ?? 0));
  // imageCudas() is ascending, so on equal distance the later (newer) CUDA replaces the earlier.
  const nearest = imageCudas()
    .filter((cuda) => parseVersion(cuda)?.major === wanted?.major && carries(cuda, row.cudnn))
    .reduce<string | undefined>((best, cuda) => (best === undefined || distance(cuda) <= distance(best) ? cuda : best), undefined);
  const unpaired = `TensorFlow ${row.version} is built for CUDA ${row.cuda} with cuDNN ${row.cudnn}, but no nvidia/cuda image carries that pair`;
  if (nearest) {
    return { cuda: nearest, cudnn: row.cudnn, warning: `${unpaired}; using CUDA ${nearest} with cuDNN ${row.cudnn} instead` };
  }
  const cudnn = latestCudnnForCuda(row.cuda);
  return { cuda: row.cuda, cudnn, warning: `${unpaired}; using cuDNN ${cudnn}, the one its images carry` };
}

function resolveForTorch(torch: string, torchCudas: string[], cuda: string | undefined, cudnn: string | undefined): CudaResolution {
  const warnings: string[] = [];
  const newest = highestVersion(torchCudas);
  let resolvedCuda: string;
  if (cuda === undefined) {
    if (newest === undefined) throw unknownFrameworkError(`torch==${torch}`, 'https://pytorch.org/');
    resolvedCuda = stripPatch(newest);
  } else {
    resolvedCuda = cuda;
    if (!torchCudas.some((torchCuda) => equalMinor(torchCuda, cuda))) {
      const suggestion = newest ? ` Try ${newest} instead?` : '';
      warnings.push(
        `Cog doesn't know if CUDA ${cuda} is compatible with PyTorch ${torch}. This might cause CUDA problems.${suggestion}`,
      );
    }
  }
  return { cuda: resolvedCuda, cudnn: cudnn ?? latestCudnnForCuda(resolvedCuda), warnings };
}

function unknownFrameworkError(pin: string, site: string): UserError {
  return new UserError(
    `cog doesn't know what CUDA version is compatible with ${pin}. You might need to upgrade Cog: https://github.com/replicate/cog#upgrade\n\n` +
      `If that doesn't work, you need to set the 'cuda' option in cog.yaml to set what version to use. You might be able to find this out from ${site}`,
  );
}

/** The highest cuDNN major among the base images for `cuda`. */
export function latestCudnnForCuda(cuda: string): string {
  const latest = cudnnsForCuda(cuda).at(-1);
  if (latest === undefined) throw new UserError(`CUDA ${cuda} is not supported by Cog`, { hint: cudaChoicesHint() });
  return latest;
}

function cudaChoicesHint(): string {
  return `CUDA versions with base images: ${imageCudas().join(', ')}`;
}

