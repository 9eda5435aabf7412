import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  cudaImages,
  cudnnsForCuda,
  droppedTorchRows,
  imageCudas,
  tensorflowRow,
  tensorflowRows,
  torchRows,
} from '../../../src/compat/matrix.js';
import { knownBadRows, validateMatrix } from '../../../src/compat/validate.js';

describe('the matrix data', () => {
  it('is upstream 0.22.0 data, shipped inside the project with its notice', () => {
    expect(cudaImages()).toHaveLength(83);
    expect(torchRows().length + droppedTorchRows().length).toBe(96);
    expect(tensorflowRows()).toHaveLength(18);
    const notice = readFileSync(new URL('../../../src/compat/data/NOTICE', import.meta.url), 'utf8');
    expect(notice).toContain('replicate/cog');
    expect(notice).toContain('Apache License, Version 2.0');
  });

  it('drops the torch rows whose CUDA has no base image (the three cu102 rows)', () => {
    expect(torchRows()).toHaveLength(93);
    expect(droppedTorchRows().map((row) => row.torch)).toEqual(['1.11.0+cu102', '1.12.0+cu102', '1.12.1+cu102']);
  });

  it('keeps TensorFlow CUDA as major.minor and cuDNN as major only', () => {
    expect(tensorflowRow('2.12.0')).toMatchObject({ cuda: '11.8', cudnn: '8' });
    expect(tensorflowRow('2.18.0')).toMatchObject({ cuda: '12.5', cudnn: '9' });
    expect(tensorflowRows().every((row) => /^\d+\.\d+$/.test(row.cuda) && /^\d+$/.test(row.cudnn))).toBe(true);
    expect(tensorflowRow('2.16')).toBeUndefined();
  });

  it('answers which cuDNNs a CUDA has images for', () => {
    expect(cudnnsForCuda('12.3')).toEqual(['9']);
    expect(cudnnsForCuda('11.8')).toEqual(['8']);
    expect(cudnnsForCuda('12.7')).toEqual([]);
    expect(imageCudas()).toContain('13.2');
    expect(imageCudas()).not.toContain('12.7');
  });
});

describe('validateMatrix', () => {
  const findings = validateMatrix();

  it('covers every torch row (dropped ones too) and every TensorFlow row', () => {
    expect(findings.filter((f) => f.framework === 'torch')).toHaveLength(96);
    expect(findings.filter((f) => f.framework === 'tensorflow')).toHaveLength(18);
  });

  it('finds no row that fails to resolve without a recorded reason', () => {
    expect(findings.filter((f) => f.status === 'unresolvable')).toEqual([]);
  });

  it('flags exactly the known-bad rows, with their reasons', () => {
    const flagged = findings.filter((f) => f.status === 'known-bad');
    expect(flagged.map((f) => `${f.framework} ${f.version}`).sort()).toEqual(Object.keys(knownBadRows).sort());
    expect(flagged.every((f) => f.reason)).toBe(true);
  });

  it('reports the TensorFlow rows moved to a pair an image carries', () => {
    const adjusted = findings.filter((f) => f.status === 'adjusted');
    expect(adjusted.map((f) => f.version)).toEqual(['2.16.1', '2.17.0']);
    expect(adjusted[0]?.image).toBe('nvidia/cuda:12.2.2-cudnn8-devel-ubuntu22.04');
  });

  it('gives every resolvable GPU row an image', () => {
    const gpuRows = findings.filter((f) => f.cuda !== undefined && f.status !== 'known-bad');
    expect(gpuRows.every((f) => f.image?.startsWith('nvidia/cuda:'))).toBe(true);
  });
});
