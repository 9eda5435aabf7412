/**
 * Every torch release (GPU and CPU) and every TensorFlow release through `cog debug --json`:
 * requirements line → frameworks → CUDA/cuDNN → base image → rewritten requirements. The expected
 * values are re-derived here straight from the JSON files with plain array code, independently of
 * src/compat, following the spec's algorithm (cog-yaml.md §5.3–5.5) and our documented fixes.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseBaseImage } from '../../../src/compat/base-image.js';
import { resolveCuda } from '../../../src/compat/resolve.js';
import type { CompatInput } from '../../../src/compat/types.js';
import { rewriteRequirements } from '../../../src/requirements/rewrite.js';
import { debugModel } from '../../../src/workflows/debug.js';

const data = <T>(name: string): T[] => JSON.parse(readFileSync(new URL(`../../../src/compat/data/${name}`, import.meta.url), 'utf8'));
const images = data<{ Tag: string; CUDA: string; CuDNN: string; Ubuntu: string }>('cuda_compatibility.json');
const rawTorch = data<{ Torch: string; ExtraIndexURL: string; CUDA: string | null }>('torch_compatibility.json');
const rawTensorflow = data<{ TF: string; CUDA: string; CuDNN: string }>('tf_compatibility.json');

// --- an independent model of the data -------------------------------------------------------
const numbers = (version: string) => version.split('.').map(Number);
const compare = (a: string, b: string) => {
  const [x, y] = [numbers(a), numbers(b)];
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
};
const minorOf = (version: string) => version.split('.').slice(0, 2).join('.');
const releaseOf = (torch: string) => torch.split('+')[0] as string;
const imagesOfMinor = (cuda: string) => images.filter((image) => minorOf(image.CUDA) === cuda);
const newestCudnn = (cuda: string) => imagesOfMinor(cuda).map((i) => i.CuDNN).sort(compare).at(-1);
const expectedImage = (cuda: string, cudnn: string) => {
  const [best] = imagesOfMinor(cuda)
    .filter((image) => image.CuDNN === cudnn)
    .sort((a, b) => compare(b.CUDA, a.CUDA) || b.Ubuntu.localeCompare(a.Ubuntu));
  return best && `nvidia/cuda:${best.Tag}`;
};
// Rows whose CUDA has no image are not in the matrix (spec §5.2).
const usableTorch = rawTorch.filter((row) => row.CUDA === null || imagesOfMinor(row.CUDA).length > 0);
const torchReleases = [...new Set(rawTorch.map((row) => releaseOf(row.Torch)))];

/** The CUDA a GPU build of `torch==<pin>` gets when cog.yaml does not set one. */
function expectedTorchCuda(pin: string): string {
  const sameRelease = usableTorch.filter((row) => row.CUDA !== null && releaseOf(row.Torch) === releaseOf(pin));
  const label = /\+cu(\d+)$/.exec(pin)?.[1];
  const labelled = label && `${label.slice(0, -1)}.${label.slice(-1)}`;
  if (labelled && sameRelease.some((row) => row.CUDA === labelled)) return labelled;
  return sameRelease.map((row) => row.CUDA as string).sort(compare).at(-1) as string;
}

/** The index URL of the wheel a GPU build for `cuda` installs: the highest CUDA not above it. */
function expectedTorchIndex(release: string, cuda: string): string {
  const [row] = usableTorch
    .filter((r) => r.CUDA !== null && releaseOf(r.Torch) === release && compare(r.CUDA, cuda) <= 0)
    .sort((a, b) => compare(b.CUDA as string, a.CUDA as string));
  return row?.ExtraIndexURL ?? '';
}

/** TF's (CUDA, cuDNN), or — when no image carries that pair — the nearest same-major CUDA that carries the cuDNN. */
function expectedTensorflowPair(row: { CUDA: string; CuDNN: string }): { cuda: string; cudnn: string } {
  const cuda = minorOf(row.CUDA);
  const cudnn = row.CuDNN.split('.')[0] as string;
  if (expectedImage(cuda, cudnn)) return { cuda, cudnn };
  const [major, minor] = numbers(cuda) as [number, number];
  const candidates = [...new Set(images.filter((i) => i.CuDNN === cudnn && numbers(i.CUDA)[0] === major).map((i) => minorOf(i.CUDA)))];
  const distance = (c: string) => Math.abs((numbers(c)[1] ?? 0) - minor);
  const [nearest] = candidates.sort((a, b) => distance(a) - distance(b) || compare(b, a));
  return nearest ? { cuda: nearest, cudnn } : { cuda, cudnn: newestCudnn(cuda) as string };
}

// --- the path under test: `cog debug --json` (debugModel, the producer of that JSON) -----------
const project = mkdtempSync(path.join(tmpdir(), 'cogpack-matrix-'));

async function build(line: string, gpu: boolean) {
  writeFileSync(path.join(project, 'cog.yaml'), `build:\n  gpu: ${gpu}\n  python_version: "3.12"\n  python_requirements: requirements.txt\nrun: predict.py:Predictor\n`);
  writeFileSync(path.join(project, 'requirements.txt'), `${line}\n`);
  const report = await debugModel({ cwd: project, env: {}, useCogBaseImage: false, imageAvailable: async () => false });
  return { cuda: report.cuda ?? undefined, cudnn: report.cudnn ?? undefined, image: report.baseImage, requirements: report.requirements };
}

describe.each(torchReleases)('torch==%s', (release) => {
  it('GPU: newest CUDA of the release, its newest cuDNN, the image, the wheel index', async () => {
    const cuda = expectedTorchCuda(release);
    const cudnn = newestCudnn(cuda) as string;
    const index = expectedTorchIndex(release, cuda);
    expect(await build(`torch==${release}`, true)).toEqual({
      cuda,
      cudnn,
      image: expectedImage(cuda, cudnn),
      requirements: [...(index ? [`--extra-index-url ${index}`] : []), `torch==${release}`],
    });
  });

  it('CPU: no CUDA, python:slim, the CPU wheel index', async () => {
    const cpuRow = rawTorch.find((row) => row.CUDA === null && releaseOf(row.Torch) === release);
    expect(await build(`torch==${release}`, false)).toEqual({
      cuda: undefined,
      cudnn: undefined,
      image: 'python:3.12-slim',
      requirements: [`--extra-index-url ${cpuRow?.ExtraIndexURL}`, `torch==${release}`],
    });
  });
});

describe.each(usableTorch.filter((row) => row.CUDA !== null).map((row) => row.Torch))('torch==%s (as published)', (pin) => {
  it('GPU: the label’s CUDA when it has a wheel, and that wheel', async () => {
    const cuda = expectedTorchCuda(pin);
    const cudnn = newestCudnn(cuda) as string;
    const index = expectedTorchIndex(releaseOf(pin), cuda);
    expect(await build(`torch==${pin}`, true)).toEqual({
      cuda,
      cudnn,
      image: expectedImage(cuda, cudnn),
      requirements: [...(index ? [`--extra-index-url ${index}`] : []), `torch==${releaseOf(pin)}`],
    });
  });
});

describe.each(rawTensorflow.map((row) => [row.TF, row] as const))('tensorflow==%s', (version, row) => {
  it('GPU: TensorFlow’s CUDA and cuDNN (or the nearest pair an image carries), no index', async () => {
    const { cuda, cudnn } = expectedTensorflowPair(row);
    expect(await build(`tensorflow==${version}`, true)).toEqual({
      cuda,
      cudnn,
      image: expectedImage(cuda, cudnn),
      requirements: [`tensorflow==${version}`],
    });
  });

  it('CPU: nothing resolved, line unchanged', async () => {
    expect(await build(`tensorflow==${version}`, false)).toEqual({
      cuda: undefined,
      cudnn: undefined,
      image: 'python:3.12-slim',
      requirements: [`tensorflow==${version}`],
    });
  });
});

describe('hand-written rows (upstream’s tested examples)', () => {
  it('tensorflow==2.12.0 ⇒ 11.8.0-cudnn8-devel-ubuntu22.04', async () => {
    expect((await build('tensorflow==2.12.0', true)).image).toBe('nvidia/cuda:11.8.0-cudnn8-devel-ubuntu22.04');
  });

  it('cuda 11.6 + cudnn 8 ⇒ 11.6.2-cudnn8-devel-ubuntu20.04', async () => {
    const input: CompatInput = { gpu: true, cuda: '11.6', cudnn: '8', pythonVersion: '3.10', frameworks: {} };
    const base = await chooseBaseImage(resolveCuda(input), input, { useCogBaseImage: false, cogBaseAvailable: () => false });
    expect(base.image).toBe('nvidia/cuda:11.6.2-cudnn8-devel-ubuntu20.04');
  });

  it('torch==2.7.0+cu118 with cuda 12.8 ⇒ torch==2.7.0 from cu128', async () => {
    expect(rewriteRequirements(['torch==2.7.0+cu118'], { gpu: true, cuda: '12.8' }).lines).toEqual([
      '--extra-index-url https://download.pytorch.org/whl/cu128/',
      'torch==2.7.0',
    ]);
  });

  it('torch==2.3 ⇒ torch==2.3.1', async () => {
    expect(await build('torch==2.3', true)).toEqual({
      cuda: '12.1',
      cudnn: '8',
      image: 'nvidia/cuda:12.1.1-cudnn8-devel-ubuntu22.04',
      requirements: ['--extra-index-url https://download.pytorch.org/whl/cu121/', 'torch==2.3.1'],
    });
  });

  it('torch==2.0.1 on CUDA 11.7 ⇒ the plain PyPI wheel, no index', async () => {
    expect(rewriteRequirements(['torch==2.0.1'], { gpu: true, cuda: '11.7' }).lines).toEqual(['torch==2.0.1']);
  });

  it('a torch range ⇒ the highest release inside it decides CUDA', async () => {
    expect(await build('torch>=2.0,<2.5', true)).toMatchObject({ cuda: '12.4', cudnn: '9', requirements: ['torch>=2.0,<2.5'] });
  });
});
