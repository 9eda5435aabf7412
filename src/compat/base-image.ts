/**
 * Which image a build starts FROM (spec cog-yaml.md §6): a prebuilt cog-base image when one exists
 * for the (CUDA, Python, torch) triple, else nvidia/cuda for GPU builds, else python:X-slim.
 */
import { UserError } from '../errors.js';
import { cudaImages, cudnnsForCuda, imageCudas, torchRows } from './matrix.js';
import type { BaseImageChoice, BaseImageOptions, CompatInput, CudaResolution } from './types.js';
import { compareVersions, highestVersion, matches, parseVersion, stripMetadata, stripPatch } from './version.js';

/** Registry host of cog-base images when `COG_REGISTRY_HOST` is not set. */
export const defaultCogBaseRegistry = 'r8.im';

/**
 * The nvidia/cuda image for a CUDA and cuDNN: the highest CUDA patch of that minor, then the newest
 * Ubuntu. e.g. (`11.8`, `8`) → `nvidia/cuda:11.8.0-cudnn8-devel-ubuntu22.04`.
 */
export function cudaBaseImageFor(cuda: string, cudnn: string): string {
  const candidates = cudaImages()
    .filter((image) => matches(cuda, image.cuda) && image.cudnn === cudnn)
    .sort((a, b) => compareVersions(b.cuda, a.cuda) || (a.ubuntu < b.ubuntu ? 1 : a.ubuntu > b.ubuntu ? -1 : 0));
  const best = candidates[0];
  if (!best) {
    const carried = cudnnsForCuda(cuda);
    throw new UserError(`no matching base image for CUDA ${cuda} and CuDNN ${cudnn}`, {
      hint: carried.length
        ? `the nvidia/cuda images for CUDA ${cuda} carry cuDNN ${carried.join(', ')}`
        : `nvidia/cuda images exist for CUDA ${imageCudas().join(', ')}`,
    });
  }
  return `nvidia/cuda:${best.tag}`;
}

/** One (CUDA, Python, torch) triple a cog-base image is built for; '' means "none". */
export interface CogBaseConfiguration {
  cuda: string;
  python: string;
  torch: string;
}

/**
 * cog-base images exist for torch ≥ 2.0.0 only. Upstream states the minimum as 1.13.1 but compares
 * with metadata (`1.13.1+cu117` is not ≥ `1.13.1`, quirk 10), so 1.13.1 never made it into the
 * image set; the effective minimum is written down here rather than reproduced by accident.
 * Including 1.13.1 would only produce tags that were never published.
 */
const minimumCogBaseTorch = '2.0.0';
const minimumCogBasePython = '3.10';
const minimumCogBaseCuda = '11.6';

let configurations: CogBaseConfiguration[] | undefined;

/** Every triple a cog-base image is built for (upstream's BaseImageConfigurations). */
export function cogBaseConfigurations(): readonly CogBaseConfiguration[] {
  if (configurations) return configurations;
  const found: CogBaseConfiguration[] = [];
  const cudas = new Set<string>();
  const pythons = new Set<string>();
  for (const row of torchRows()) {
    if (compareVersions(stripMetadata(row.torch), minimumCogBaseTorch) < 0) continue;
    for (const python of row.pythons) {
      if (compareVersions(python, minimumCogBasePython) < 0) continue;
      if (row.cuda === undefined) {
        found.push({ cuda: '', python, torch: row.torch });
      } else if (compareVersions(row.cuda, minimumCogBaseCuda) >= 0) {
        found.push({ cuda: row.cuda, python, torch: row.torch });
        cudas.add(row.cuda);
        pythons.add(python);
      }
    }
  }
  for (const cuda of cudas) for (const python of pythons) found.push({ cuda, python, torch: '' });
  for (const python of pythons) found.push({ cuda: '', python, torch: '' });
  configurations = found;
  return found;
}

function componentMatches(requested: string, configured: string): boolean {
  if (requested === '' || configured === '') return requested === configured;
  return matches(requested, configured);
}

/** `3.12.1` → `3.12`: cog-base images are per Python minor. */
export function pythonMinor(pythonVersion: string): string {
  return pythonVersion.split('.').slice(0, 2).join('.');
}

export interface CogBaseRequest {
  /** Resolved CUDA (GPU), `build.cuda` as written (CPU), or undefined. */
  cuda: string | undefined;
  /** `build.python_version`; a patch is dropped. */
  pythonVersion: string;
  /** The detected torch version, '' or undefined for none. */
  torch: string | undefined;
}

/**
 * The cog-base tag for a build, e.g. `cuda12.1-python3.11-torch2.3.1`, or undefined when no image is
 * built for it. torch is normalised to the highest patch the matrix has (`2.3` → `2.3.1`); a torch
 * with no image falls back to the image without torch (pip then installs it).
 */
export function cogBaseTagFor(request: CogBaseRequest): string | undefined {
  const cuda = request.cuda ?? '';
  const python = pythonMinor(request.pythonVersion);
  const matching = (torch: string) =>
    cogBaseConfigurations().filter(
      (c) => componentMatches(cuda, c.cuda) && componentMatches(python, c.python) && componentMatches(torch, c.torch),
    );
  let torch = request.torch ?? '';
  let found = matching(torch);
  if (found.length === 0 && torch !== '') {
    torch = '';
    found = matching(torch);
  }
  if (found.length === 0) return undefined;
  const torchTag = torch === '' ? '' : highestVersion(found.map((c) => stripMetadata(c.torch)));
  const parts = [cuda && `cuda${stripPatch(cuda)}`, `python${python}`, torchTag && `torch${torchTag}`];
  return parts.filter(Boolean).join('-') || 'latest';
}

/**
 * The base image of a build (spec §6.1): cog-base unless disabled (an explicit
 * `--use-cog-base-image` makes a missing one an error, auto falls back with a warning), then
 * nvidia/cuda for GPU builds unless `--use-cuda-base-image=false`, then python:<version>-slim.
 * The cog-base tag is worked out here, once, and its availability asked only then (I/O the
 * caller injects): never for a tag no image is built for, nor when cog-base is disabled.
 */
export async function chooseBaseImage(resolution: CudaResolution, input: CompatInput, options: BaseImageOptions): Promise<BaseImageChoice> {
  const warnings: string[] = [];
  if (options.useCogBaseImage !== false) {
    const python = pythonMinor(input.pythonVersion);
    if (python !== input.pythonVersion) {
      warnings.push(`Stripping patch version from Python version ${input.pythonVersion} to ${python}`);
    }
    const torch = input.frameworks.torch || undefined;
    const tag = cogBaseTagFor({ cuda: resolution.cuda, pythonVersion: python, torch });
    const image = tag && `${options.cogBaseRegistry || defaultCogBaseRegistry}/cog-base:${tag}`;
    if (tag && image && (await options.cogBaseAvailable(image))) {
      return { kind: 'cog-base', image, cogBaseTag: tag, warnings };
    }
    const problem = image
      ? `${image} was not found in its registry`
      : `unsupported base image configuration: CUDA: ${resolution.cuda || '(none)'} / Python: ${python} / Torch: ${torch ?? '(none)'}`;
    if (options.useCogBaseImage === true) {
      throw new UserError(problem, { hint: 'drop --use-cog-base-image to build on another base image' });
    }
    warnings.push(`Could not find a suitable base image, continuing without base image support (${problem})`);
  }

  if (input.gpu && options.useCudaBaseImage !== false) {
    if (!resolution.cuda || !resolution.cudnn) {
      throw new UserError('a GPU build needs a resolved CUDA and cuDNN to pick an nvidia/cuda base image');
    }
    return { kind: 'cuda', image: cudaBaseImageFor(resolution.cuda, resolution.cudnn), warnings };
  }
  return { kind: 'python', image: `python:${input.pythonVersion}-slim`, warnings };
}

/**
 * Whether pip/uv installs need `--break-system-packages`: on the nvidia/cuda path (uv installs
 * Python there, which marks it externally managed, PEP 668) and on cog-base images for CUDA ≥ 13
 * (which ship a uv-managed Python) — even for CPU builds that set `cuda:`. Never on python:slim.
 */
export function breakSystemPackages(choice: BaseImageChoice, cuda: string | undefined): boolean {
  if (choice.kind === 'cuda') return true;
  if (choice.kind !== 'cog-base' || !cuda) return false;
  return (parseVersion(cuda)?.major ?? 0) >= 13;
}
