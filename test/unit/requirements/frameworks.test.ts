import { describe, expect, it } from 'vitest';
import { detectFrameworks } from '../../../src/requirements/frameworks.js';

describe('detectFrameworks', () => {
  it('reads pinned versions as written', () => {
    expect(detectFrameworks(['numpy', 'torch==2.3.0', 'torchvision==0.18.0', 'tensorflow==2.12.0'])).toEqual({
      torch: '2.3.0',
      torchSpecifier: '==2.3.0',
      torchvision: '0.18.0',
      tensorflow: '2.12.0',
      tensorflowSpecifier: '==2.12.0',
    });
    expect(detectFrameworks(['torch==2.0.1+cu118']).torch).toBe('2.0.1+cu118');
    expect(detectFrameworks(['torch==2.3']).torch).toBe('2.3');
    expect(detectFrameworks(['torch===2.3.0']).torch).toBe('2.3.0');
  });

  it('gives an empty version for a bare name, and undefined when absent', () => {
    expect(detectFrameworks(['torch'])).toEqual({ torch: '', torchSpecifier: '' });
    expect(detectFrameworks(['numpy'])).toEqual({});
  });

  it('matches names PEP 503 normalised, extras ignored (upstream: exact and case-sensitive)', () => {
    expect(detectFrameworks(['Torch==2.3.0']).torch).toBe('2.3.0');
    expect(detectFrameworks(['torch[opt-einsum]==2.3.0']).torch).toBe('2.3.0');
    expect(detectFrameworks(['TensorFlow==2.12.0']).tensorflow).toBe('2.12.0');
    expect(detectFrameworks(['torch-audio==2.3.0'])).toEqual({});
  });

  it('reads a range as the highest matrix release inside it (upstream: its first number)', () => {
    expect(detectFrameworks(['torch>=2.0,<2.5'])).toEqual({ torch: '2.4.1', torchSpecifier: '>=2.0,<2.5' });
    expect(detectFrameworks(['torch<2.7.0']).torch).toBe('2.6.0');
    expect(detectFrameworks(['torch~=2.3.0']).torch).toBe('2.3.1');
    expect(detectFrameworks(['torch==2.3.*']).torch).toBe('2.3.1');
    expect(detectFrameworks(['torch>=2.0']).torch).toBe('2.11.0');
    expect(detectFrameworks(['tensorflow>=2.15,<2.17']).tensorflow).toBe('2.16.1');
    expect(detectFrameworks(['torchvision<0.20']).torchvision).toBe('0.19.1');
  });

  it('falls back to the first version of a range no release satisfies', () => {
    expect(detectFrameworks(['torch>=9.0'])).toEqual({ torch: '9.0', torchSpecifier: '>=9.0' });
  });

  it('ignores markers and hashes', () => {
    expect(detectFrameworks(['torch==2.3.0 ; sys_platform == "linux" --hash=sha256:abc']).torch).toBe('2.3.0');
  });

  it('takes the version from a direct reference’s wheel name, else the URL', () => {
    expect(
      detectFrameworks(['torch @ https://download.pytorch.org/whl/cu121/torch-2.3.0%2Bcu121-cp311-cp311-linux_x86_64.whl']),
    ).toMatchObject({ torch: '2.3.0+cu121' });
    expect(detectFrameworks(['torch @ https://example.com/torch.tar.gz']).torch).toBe('https://example.com/torch.tar.gz');
  });

  it('skips local artifacts, valid or not (`torch==custom.whl` is not torch)', () => {
    expect(detectFrameworks(['torch==custom.whl'])).toEqual({});
    expect(detectFrameworks(['torch @ file:///wheels/torch.whl', './torch-2.3.0-cp311-none-any.whl'])).toEqual({});
  });

  it('uses the first line of each framework', () => {
    expect(detectFrameworks(['torch==2.3.0', 'torch==2.4.0']).torch).toBe('2.3.0');
  });
});
