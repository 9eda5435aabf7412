/**
 * The compatibility matrix (spec cog-yaml.md §5.2): nvidia/cuda base images, torch wheels and
 * TensorFlow builds, read from the JSON files in ./data on first use so that `cog --help` never
 * pays for parsing them. The files are upstream's, unchanged (see data/NOTICE); the load-time
 * transforms below are upstream's too.
 */
import { readFileSync } from 'node:fs';
import { compareVersions, matches, stripPatch } from './version.js';

/** One `nvidia/cuda:*-cudnn*-devel-ubuntu*` image. */
export interface CudaImage {
  /** The image tag, e.g. `11.8.0-cudnn8-devel-ubuntu22.04`. */
  tag: string;
  /** Full CUDA version, `x.y.z`. */
  cuda: string;
  /** cuDNN major, e.g. `8`. */
  cudnn: string;
  ubuntu: string;
}

/** One torch wheel variant (a CPU build, or a build for one CUDA). */
export interface TorchRow {
  /** As published, e.g. `2.3.1+cu121`, `2.0.1` (plain PyPI wheel), `2.3.1+cpu`. */
  torch: string;
  torchvision: string;
  torchaudio: string;
  /** Always '' in the shipped data; kept because the format has it. */
  findLinks: string;
  /** e.g. `https://download.pytorch.org/whl/cu121/`; '' for the plain PyPI wheels. */
  indexUrl: string;
  /** `x.y`, or undefined for a CPU build. */
  cuda: string | undefined;
  pythons: string[];
}

export interface TensorflowRow {
  version: string;
  cpuPackage: string;
  gpuPackage: string;
  /** CUDA as `major.minor`. */
  cuda: string;
  /** cuDNN as major only (`8.6` in the data becomes `8`). */
  cudnn: string;
  pythons: string[];
}

interface Matrix {
  images: CudaImage[];
  torch: TorchRow[];
  /** Torch rows whose CUDA has no base image (the three cu102 rows), left out of `torch`. */
  droppedTorch: TorchRow[];
  tensorflow: TensorflowRow[];
}

// Resolved against this module, so the data must sit next to it: src/compat/data when run from
// source, dist/compat/data once built (the build copies the folder; it holds no .ts).
const dataDirectory = new URL('./data/', import.meta.url);

function readJson(name: string): unknown {
  return JSON.parse(readFileSync(new URL(name, dataDirectory), 'utf8'));
}

interface RawCudaImage {
  Tag: string;
  CUDA: string;
  CuDNN: string;
  Ubuntu: string;
}
interface RawTorchRow {
  Torch: string;
  Torchvision: string;
  Torchaudio: string;
  FindLinks: string;
  ExtraIndexURL: string;
  CUDA: string | null;
  Pythons: string[];
}
interface RawTensorflowRow {
  TF: string;
  TFCPUPackage: string;
  TFGPUPackage: string;
  CUDA: string;
  CuDNN: string;
  Pythons: string[];
}

let loaded: Matrix | undefined;

function load(): Matrix {
  if (loaded) return loaded;
  const images = (readJson('cuda_compatibility.json') as RawCudaImage[]).map(
    (raw): CudaImage => ({ tag: raw.Tag, cuda: raw.CUDA, cudnn: raw.CuDNN, ubuntu: raw.Ubuntu }),
  );
  const allTorch = (readJson('torch_compatibility.json') as RawTorchRow[]).map(
    (raw): TorchRow => ({
      torch: raw.Torch,
      torchvision: raw.Torchvision,
      torchaudio: raw.Torchaudio,
      findLinks: raw.FindLinks,
      indexUrl: raw.ExtraIndexURL,
      cuda: raw.CUDA ?? undefined,
      pythons: raw.Pythons,
    }),
  );
  const hasImage = (cuda: string) => images.some((image) => matches(cuda, image.cuda));
  const tensorflow = (readJson('tf_compatibility.json') as RawTensorflowRow[]).map(
    (raw): TensorflowRow => ({
      version: raw.TF,
      cpuPackage: raw.TFCPUPackage,
      gpuPackage: raw.TFGPUPackage,
      cuda: stripPatch(raw.CUDA),
      cudnn: raw.CuDNN.split('.')[0] ?? raw.CuDNN,
      pythons: raw.Pythons,
    }),
  );
  loaded = {
    images,
    torch: allTorch.filter((row) => row.cuda === undefined || hasImage(row.cuda)),
    droppedTorch: allTorch.filter((row) => row.cuda !== undefined && !hasImage(row.cuda)),
    tensorflow,
  };
  return loaded;
}

export function cudaImages(): readonly CudaImage[] {
  return load().images;
}

/** Torch rows in use: CPU rows and rows whose CUDA has a base image. */
export function torchRows(): readonly TorchRow[] {
  return load().torch;
}

/** Torch rows left out at load time because no base image carries their CUDA. */
export function droppedTorchRows(): readonly TorchRow[] {
  return load().droppedTorch;
}

export function tensorflowRows(): readonly TensorflowRow[] {
  return load().tensorflow;
}

/** The TensorFlow row for exactly this version string (`2.16.1`; `2.16` is unknown), if any. */
export function tensorflowRow(version: string): TensorflowRow | undefined {
  return tensorflowRows().find((row) => row.version === version);
}

/** The distinct cuDNN majors of the images whose CUDA matches `cuda` (`12.1` matches `12.1.1`), ascending. */
export function cudnnsForCuda(cuda: string): string[] {
  const cudnns = new Set(cudaImages().filter((image) => matches(cuda, image.cuda)).map((image) => image.cudnn));
  return [...cudnns].sort(compareVersions);
}

/** The distinct `x.y` CUDA versions that have base images, ascending. */
export function imageCudas(): string[] {
  return [...new Set(cudaImages().map((image) => stripPatch(image.cuda)))].sort(compareVersions);
}
