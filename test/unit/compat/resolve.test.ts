import { describe, expect, it } from 'vitest';
import { cudaFromLocalLabel, cudasFromTorch, resolveCuda } from '../../../src/compat/resolve.js';
import type { CompatInput, Frameworks } from '../../../src/compat/types.js';
import { UserError } from '../../../src/errors.js';

function gpu(frameworks: Frameworks, settings: { cuda?: string; cudnn?: string } = {}): CompatInput {
  return { gpu: true, pythonVersion: '3.12', frameworks, ...settings };
}

function failure(input: CompatInput): UserError {
  try {
    resolveCuda(input);
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('expected resolveCuda to fail');
}

describe('resolveCuda: CPU builds', () => {
  it('returns cuda and cudnn as written, resolving nothing', () => {
    expect(resolveCuda({ gpu: false, pythonVersion: '3.12', frameworks: { torch: '2.3.0' } })).toEqual({
      cuda: undefined,
      cudnn: undefined,
      warnings: [],
    });
    expect(resolveCuda({ gpu: false, cuda: '12.7', cudnn: '3', pythonVersion: '3.12', frameworks: {} })).toEqual({
      cuda: '12.7',
      cudnn: '3',
      warnings: [],
    });
  });
});

describe('resolveCuda: the user’s cuda and cudnn', () => {
  it.each([
    ['11', 'CUDA version "11" must include both major and minor versions'],
    ['x.1', 'invalid major version in CUDA version "x.1"'],
    ['11.A', 'invalid minor version in CUDA version "11.A"'],
    ['10.2', 'minimum supported CUDA version is 11, requested "10.2"'],
  ])('cuda %s → %s', (cuda, message) => {
    expect(failure(gpu({}, { cuda })).message).toBe(message);
  });

  it('rejects a cuDNN the CUDA has no image for', () => {
    expect(failure(gpu({}, { cuda: '11.8', cudnn: '9' })).message).toBe(
      'the specified CUDA version 11.8 is not compatible with CuDNN 9.\nCompatible CuDNN versions are: 8',
    );
  });

  it('rejects any cuDNN when the CUDA has no images at all', () => {
    expect(failure(gpu({}, { cuda: '12.7', cudnn: '8' })).message).toBe(
      'the specified CUDA version 12.7 is not compatible with CuDNN 8.\nCompatible CuDNN versions are: ',
    );
  });

  it('says a CUDA without images is not supported when cuDNN must be derived', () => {
    const error = failure(gpu({}, { cuda: '12.7' }));
    expect(error.message).toBe('CUDA 12.7 is not supported by Cog');
    expect(error.hint).toContain('12.8');
  });

  it('keeps the user’s strings verbatim', () => {
    expect(resolveCuda(gpu({}, { cuda: '11.6.2', cudnn: '8' }))).toEqual({ cuda: '11.6.2', cudnn: '8', warnings: [] });
  });
});

describe('resolveCuda: no framework', () => {
  it('defaults to CUDA 11.8 with its newest cuDNN', () => {
    expect(resolveCuda(gpu({}))).toEqual({ cuda: '11.8', cudnn: '8', warnings: [] });
  });

  it('derives cuDNN for a given CUDA', () => {
    expect(resolveCuda(gpu({}, { cuda: '12.4' }))).toEqual({ cuda: '12.4', cudnn: '9', warnings: [] });
  });
});

describe('resolveCuda: torch', () => {
  it('picks the newest CUDA the torch release has wheels for', () => {
    expect(resolveCuda(gpu({ torch: '2.3.0' }))).toEqual({ cuda: '12.1', cudnn: '8', warnings: [] });
    expect(resolveCuda(gpu({ torch: '2.3' }))).toEqual({ cuda: '12.1', cudnn: '8', warnings: [] });
    expect(resolveCuda(gpu({ torch: '2.11.0' }))).toEqual({ cuda: '13.0', cudnn: '9', warnings: [] });
  });

  it('honours a +cuXYZ label when a wheel exists for it, and ignores it otherwise', () => {
    expect(resolveCuda(gpu({ torch: '2.0.1+cu118' })).cuda).toBe('11.8');
    expect(resolveCuda(gpu({ torch: '2.7.0+cu118' })).cuda).toBe('11.8');
    expect(resolveCuda(gpu({ torch: '2.7.0+cu121' })).cuda).toBe('12.8');
    expect(resolveCuda(gpu({ torch: '2.7.0+cpu' })).cuda).toBe('12.8');
  });

  it('requires a torch version', () => {
    expect(failure(gpu({ torch: '' })).message).toBe('torch version must be specified when using CUDA');
    // Even with TensorFlow present, as upstream checks torch first.
    expect(failure(gpu({ torch: '', tensorflow: '2.12.0' })).message).toBe('torch version must be specified when using CUDA');
  });

  it('with cuda: set and torch unpinned, the hint names what is missing, not cuda:', () => {
    const error = failure(gpu({ torch: '' }, { cuda: '12.1' }));
    expect(error.message).toBe('torch version must be specified when using CUDA');
    expect(error.hint).toBe('pin torch in your requirements, e.g. torch==2.3.1: cuda: "12.1" is set, but the build still needs torch\'s version to install the torch wheel built for that CUDA');
    expect(failure(gpu({ torch: '' })).hint).not.toContain('set cuda');
  });

  it('says it does not know an unknown torch', () => {
    expect(failure(gpu({ torch: '9.9.9' })).message).toBe(
      "cog doesn't know what CUDA version is compatible with torch==9.9.9. You might need to upgrade Cog: https://github.com/replicate/cog#upgrade\n\n" +
        "If that doesn't work, you need to set the 'cuda' option in cog.yaml to set what version to use. You might be able to find this out from https://pytorch.org/",
    );
    expect(failure(gpu({ torch: 'https://example.com/torch.whl' })).message).toContain('torch==https://example.com/torch.whl');
  });

  it('warns, suggesting the newest known CUDA, when the user’s CUDA has no wheel of that torch', () => {
    expect(resolveCuda(gpu({ torch: '2.4.1' }, { cuda: '11.7' }))).toEqual({
      cuda: '11.7',
      cudnn: '8',
      warnings: [
        "Cog doesn't know if CUDA 11.7 is compatible with PyTorch 2.4.1. This might cause CUDA problems. Try 12.4 instead?",
      ],
    });
    expect(resolveCuda(gpu({ torch: '9.9.9' }, { cuda: '12.1' })).warnings).toEqual([
      "Cog doesn't know if CUDA 12.1 is compatible with PyTorch 9.9.9. This might cause CUDA problems.",
    ]);
  });

  it('does not warn when the user’s CUDA matches one of the torch CUDAs by minor', () => {
    expect(resolveCuda(gpu({ torch: '2.3.1' }, { cuda: '12.1.1' })).warnings).toEqual([]);
  });
});

describe('resolveCuda: TensorFlow', () => {
  it('takes CUDA and cuDNN from the TensorFlow row', () => {
    expect(resolveCuda(gpu({ tensorflow: '2.12.0' }))).toEqual({ cuda: '11.8', cudnn: '8', warnings: [] });
    expect(resolveCuda(gpu({ tensorflow: '2.18.0' }))).toEqual({ cuda: '12.5', cudnn: '9', warnings: [] });
  });

  it('takes precedence over torch', () => {
    expect(resolveCuda(gpu({ tensorflow: '2.12.0', torch: '2.11.0' }))).toEqual({ cuda: '11.8', cudnn: '8', warnings: [] });
  });

  it('moves TF 2.16.1 / 2.17.0 to a CUDA whose images carry cuDNN 8 (quirk 9 fixed)', () => {
    const resolution = resolveCuda(gpu({ tensorflow: '2.16.1' }));
    expect(resolution.cuda).toBe('12.2');
    expect(resolution.cudnn).toBe('8');
    expect(resolution.warnings).toEqual([
      'TensorFlow 2.16.1 is built for CUDA 12.3 with cuDNN 8, but no nvidia/cuda image carries that pair; using CUDA 12.2 with cuDNN 8 instead',
    ]);
  });

  it('says it does not know an unknown TensorFlow when CUDA is not set', () => {
    expect(failure(gpu({ tensorflow: '2.16' })).message).toMatch(
      /^cog doesn't know what CUDA version is compatible with tensorflow==2\.16\. .*https:\/\/www\.tensorflow\.org\/$/s,
    );
  });

  it('warns when the user’s CUDA minor differs from TensorFlow’s, not when it matches (quirk 1 fixed)', () => {
    expect(failure(gpu({ tensorflow: '2.12.0' }, { cuda: '12.1' })).message).toBe(
      'TensorFlow 2.12.0 is incompatible with CUDA 12.1: TensorFlow 2.12.0 requires CUDA 11.8',
    );
    expect(resolveCuda(gpu({ tensorflow: '2.12.0' }, { cuda: '11.8' })).warnings).toEqual([]);
    expect(resolveCuda(gpu({ tensorflow: '2.12.0' }, { cuda: '11.7' })).warnings).toEqual([
      "Cog doesn't know if CUDA 11.7 is compatible with Tensorflow 2.12.0. This might cause CUDA problems. Try 11.8 instead?",
    ]);
  });

  it('warns without a suggestion for an unknown TensorFlow with a set CUDA, and uses the newest cuDNN', () => {
    expect(resolveCuda(gpu({ tensorflow: '2.16' }, { cuda: '12.4' }))).toEqual({
      cuda: '12.4',
      cudnn: '9',
      warnings: ["Cog doesn't know if CUDA 12.4 is compatible with Tensorflow 2.16. This might cause CUDA problems."],
    });
  });

  it('rejects a cuDNN TensorFlow was not built with', () => {
    expect(failure(gpu({ tensorflow: '2.18.0' }, { cudnn: '8' })).message).toBe(
      'the specified cuDNN version 8 is not compatible with tensorflow==2.18.0.\nCompatible cuDNN version is: 9',
    );
    expect(failure(gpu({ tensorflow: '2.16' }, { cuda: '12.4', cudnn: '9' })).message).toBe(
      'the specified cuDNN version 9 is not compatible with tensorflow==2.16.\nCompatible cuDNN version is: ',
    );
  });

  it('accepts the cuDNN TensorFlow was built with', () => {
    expect(resolveCuda(gpu({ tensorflow: '2.12.0' }, { cudnn: '8' }))).toEqual({ cuda: '11.8', cudnn: '8', warnings: [] });
  });
});

describe('cudasFromTorch', () => {
  it('lists the CUDAs of a release in version order', () => {
    expect(cudasFromTorch('2.7.1')).toEqual(['11.8', '12.6', '12.8']);
    expect(cudasFromTorch('2.0.0')).toEqual(['11.7', '11.8']);
    expect(cudasFromTorch('1.11.0')).toEqual(['11.3']);
    expect(cudasFromTorch('2.3.*')).toEqual([]);
  });
});

describe('cudaFromLocalLabel', () => {
  it.each([
    ['2.7.0+cu128', '12.8'],
    ['1.9.0+cu92', '9.2'],
    ['2.0.1+cu118', '11.8'],
    ['2.7.0+cpu', undefined],
    ['2.7.0+rocm6.2', undefined],
    ['2.7.0', undefined],
  ])('%s → %s', (version, cuda) => {
    expect(cudaFromLocalLabel(version)).toBe(cuda);
  });
});
