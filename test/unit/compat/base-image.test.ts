import { describe, expect, it, vi } from 'vitest';
import {
  breakSystemPackages,
  chooseBaseImage,
  cogBaseConfigurations,
  cogBaseTagFor,
  cudaBaseImageFor,
} from '../../../src/compat/base-image.js';
import { resolveCuda } from '../../../src/compat/resolve.js';
import type { BaseImageChoice, CompatInput } from '../../../src/compat/types.js';
import { UserError } from '../../../src/errors.js';

function thrown(run: () => unknown): UserError {
  try {
    run();
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('expected a UserError');
}

describe('cudaBaseImageFor', () => {
  it.each([
    ['11.8', '8', 'nvidia/cuda:11.8.0-cudnn8-devel-ubuntu22.04'],
    ['11.6', '8', 'nvidia/cuda:11.6.2-cudnn8-devel-ubuntu20.04'],
    ['12.1', '8', 'nvidia/cuda:12.1.1-cudnn8-devel-ubuntu22.04'],
    ['12.4', '9', 'nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04'],
    ['12.6', '9', 'nvidia/cuda:12.6.3-cudnn-devel-ubuntu24.04'],
    ['11.6.1', '8', 'nvidia/cuda:11.6.1-cudnn8-devel-ubuntu20.04'],
  ])('CUDA %s + cuDNN %s → %s', (cuda, cudnn, image) => {
    expect(cudaBaseImageFor(cuda, cudnn)).toBe(image);
  });

  it('fails with upstream’s message and says what the CUDA does carry', () => {
    const error = thrown(() => cudaBaseImageFor('12.3', '8'));
    expect(error.message).toBe('no matching base image for CUDA 12.3 and CuDNN 8');
    expect(error.hint).toBe('the nvidia/cuda images for CUDA 12.3 carry cuDNN 9');
    expect(thrown(() => cudaBaseImageFor('12.7', '9')).hint).toMatch(/^nvidia\/cuda images exist for CUDA 11\.0, .*, 13\.2$/);
  });

  it('resolves TensorFlow 2.12.0 to the 11.8 image (upstream test)', () => {
    const resolution = resolveCuda({ gpu: true, pythonVersion: '3.11', frameworks: { tensorflow: '2.12.0' } });
    expect(cudaBaseImageFor(resolution.cuda ?? '', resolution.cudnn ?? '')).toBe('nvidia/cuda:11.8.0-cudnn8-devel-ubuntu22.04');
  });
});

describe('cogBaseTagFor (upstream’s tested examples)', () => {
  it.each([
    [undefined, '3.10', undefined, 'python3.10'],
    [undefined, '3.10', '2.1', 'python3.10-torch2.1.2'],
    ['12.1', '3.10', undefined, 'cuda12.1-python3.10'],
    ['12.1', '3.10', '2.1', 'cuda12.1-python3.10-torch2.1.2'],
    ['11.8', '3.10', '2.0.1+cu118', 'cuda11.8-python3.10-torch2.0.1'],
    ['12.1', '3.10', '2.3', 'cuda12.1-python3.10-torch2.3.1'],
    ['11.8', '3.11', '2.3', 'cuda11.8-python3.11-torch2.3.1'],
    ['12.1.1', '3.12.4', '2.3.0', 'cuda12.1-python3.12-torch2.3.0'],
  ])('(%s, %s, %s) → %s', (cuda, pythonVersion, torch, tag) => {
    expect(cogBaseTagFor({ cuda, pythonVersion, torch })).toBe(tag);
  });

  it.each([
    ['12.78', '3.10', undefined],
    [undefined, '3.99', undefined],
    ['12.2', '3.12', undefined],
    ['11.6', '3.10', '1.13.1'],
  ])('(%s, %s, %s) has no image', (cuda, pythonVersion, torch) => {
    expect(cogBaseTagFor({ cuda, pythonVersion, torch })).toBeUndefined();
  });

  it('falls back to the image without torch for a torch it has no image of', () => {
    expect(cogBaseTagFor({ cuda: '12.1', pythonVersion: '3.11', torch: '1.13.1' })).toBe('cuda12.1-python3.11');
    expect(cogBaseTagFor({ cuda: undefined, pythonVersion: '3.12', torch: '9.9.9' })).toBe('python3.12');
    // torch 2.1 wheels exist for Python ≤ 3.11 only.
    expect(cogBaseTagFor({ cuda: '12.1', pythonVersion: '3.12', torch: '2.1.2' })).toBe('cuda12.1-python3.12');
  });

  it('has upstream’s 317 configurations: torch ≥ 2.0.0 only (quirk 10 kept, stated outright)', () => {
    const configurations = cogBaseConfigurations();
    expect(configurations).toHaveLength(317);
    expect(configurations.filter((c) => c.torch !== '')).toHaveLength(272);
    expect(configurations.filter((c) => c.torch === '' && c.cuda !== '')).toHaveLength(40);
    expect(new Set(configurations.map((c) => c.cuda))).toEqual(
      new Set(['', '11.7', '11.8', '12.1', '12.4', '12.6', '12.8', '12.9', '13.0']),
    );
    expect(configurations.some((c) => c.torch.startsWith('1.'))).toBe(false);
  });
});

describe('chooseBaseImage', () => {
  const cpu: CompatInput = { gpu: false, pythonVersion: '3.12', frameworks: {} };
  const gpuTorch: CompatInput = { gpu: true, pythonVersion: '3.11', frameworks: { torch: '2.3' } };
  const gpuResolution = resolveCuda({ ...gpuTorch, cuda: '11.8' });
  const cpuResolution = resolveCuda(cpu);
  const available = () => true;
  const missing = () => false;

  it('uses cog-base when the image exists', async () => {
    const cogBaseAvailable = vi.fn(available);
    expect(await chooseBaseImage(gpuResolution, gpuTorch, { cogBaseAvailable })).toEqual({
      kind: 'cog-base',
      image: 'r8.im/cog-base:cuda11.8-python3.11-torch2.3.1',
      cogBaseTag: 'cuda11.8-python3.11-torch2.3.1',
      warnings: [],
    });
    expect(cogBaseAvailable).toHaveBeenCalledWith('r8.im/cog-base:cuda11.8-python3.11-torch2.3.1');
  });

  it('takes the registry host from the options', async () => {
    const choice = await chooseBaseImage(cpuResolution, cpu, { cogBaseAvailable: available, cogBaseRegistry: 'ghcr.io/replicate/cog' });
    expect(choice.image).toBe('ghcr.io/replicate/cog/cog-base:python3.12');
  });

  it('strips the Python patch for cog-base, with upstream’s warning', async () => {
    const input = { ...cpu, pythonVersion: '3.12.1' };
    expect(await chooseBaseImage(cpuResolution, input, { cogBaseAvailable: available })).toMatchObject({
      image: 'r8.im/cog-base:python3.12',
      warnings: ['Stripping patch version from Python version 3.12.1 to 3.12'],
    });
  });

  it('falls back with a warning when no configuration matches, without asking the registry', async () => {
    const cogBaseAvailable = vi.fn(available);
    const input = { ...cpu, pythonVersion: '3.99' };
    expect(await chooseBaseImage(cpuResolution, input, { cogBaseAvailable })).toEqual({
      kind: 'python',
      image: 'python:3.99-slim',
      warnings: [
        'Could not find a suitable base image, continuing without base image support (unsupported base image configuration: CUDA: (none) / Python: 3.99 / Torch: (none))',
      ],
    });
    expect(cogBaseAvailable).not.toHaveBeenCalled();
  });

  it('falls back to nvidia/cuda for GPU builds when the cog-base image is missing', async () => {
    const choice = await chooseBaseImage(gpuResolution, gpuTorch, { cogBaseAvailable: missing });
    expect(choice.kind).toBe('cuda');
    expect(choice.image).toBe('nvidia/cuda:11.8.0-cudnn8-devel-ubuntu22.04');
    expect(choice.warnings[0]).toContain('r8.im/cog-base:cuda11.8-python3.11-torch2.3.1 was not found');
  });

  it('fails when cog-base was asked for explicitly and there is none', async () => {
    const input: CompatInput = { gpu: true, pythonVersion: '3.12', frameworks: { torch: '2.3.0' } };
    const resolution = resolveCuda({ ...input, cuda: '12.2' });
    await expect(chooseBaseImage(resolution, input, { useCogBaseImage: true, cogBaseAvailable: available })).rejects.toThrow(
      /^unsupported base image configuration: CUDA: 12\.2 \/ Python: 3\.12 \/ Torch: 2\.3\.0$/,
    );
    await expect(chooseBaseImage(gpuResolution, gpuTorch, { useCogBaseImage: true, cogBaseAvailable: missing })).rejects.toThrow(
      /cog-base:cuda11\.8-python3\.11-torch2\.3\.1 was not found/,
    );
  });

  it('never asks for cog-base when it is disabled', async () => {
    const cogBaseAvailable = vi.fn(available);
    const choice = await chooseBaseImage(gpuResolution, gpuTorch, { useCogBaseImage: false, cogBaseAvailable });
    expect(choice).toEqual({ kind: 'cuda', image: 'nvidia/cuda:11.8.0-cudnn8-devel-ubuntu22.04', warnings: [] });
    expect(cogBaseAvailable).not.toHaveBeenCalled();
  });

  it('uses python:<full version>-slim for GPU builds with --use-cuda-base-image=false', async () => {
    const input = { ...gpuTorch, pythonVersion: '3.11.9' };
    expect(await chooseBaseImage(gpuResolution, input, { useCogBaseImage: false, useCudaBaseImage: false, cogBaseAvailable: available })).toEqual({
      kind: 'python',
      image: 'python:3.11.9-slim',
      warnings: [],
    });
  });

  it('passes on the nvidia/cuda error when the pair has no image', async () => {
    const resolution = { cuda: '12.3', cudnn: '8', warnings: [] };
    await expect(chooseBaseImage(resolution, gpuTorch, { useCogBaseImage: false, cogBaseAvailable: available })).rejects.toThrow(
      'no matching base image for CUDA 12.3 and CuDNN 8',
    );
  });
});

describe('breakSystemPackages', () => {
  const choice = (kind: BaseImageChoice['kind']): BaseImageChoice => ({ kind, image: 'x', warnings: [] });
  it.each([
    ['cuda', '11.8', true],
    ['cog-base', '12.8', false],
    ['cog-base', '13.0', true],
    ['cog-base', undefined, false],
    ['python', '13.0', false],
    ['python', undefined, false],
  ] as const)('%s with CUDA %s → %s', (kind, cuda, expected) => {
    expect(breakSystemPackages(choice(kind), cuda)).toBe(expected);
  });
});
