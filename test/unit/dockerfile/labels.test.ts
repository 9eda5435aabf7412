import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { configLabel, imageLabels } from '../../../src/dockerfile/labels.js';

const config = loadConfig({
  file: '/p/cog.yaml',
  text: 'build:\n  gpu: true\n  python_version: "3.12"\n  system_packages: [ffmpeg]\nrun: run.py:Runner\nenvironment: ["A=1"]\n',
}).config;

describe('labels', () => {
  it('records the effective config the way upstream shapes it, with the resolved CUDA', () => {
    expect(configLabel(config, '12.1', '8')).toEqual({
      build: { gpu: true, cuda: '12.1', cudnn: '8', python_version: '3.12', system_packages: ['ffmpeg'] },
      predict: 'run.py:Runner',
      environment: ['A=1'],
    });
  });

  it('sets upstream\'s labels and the OCI ones, leaving out what is unknown', () => {
    const labels = imageLabels({
      config,
      cuda: '12.1',
      cudnn: '8',
      cogVersion: '0.1.0',
      openapiSchema: '{"openapi":"3.0.2"}',
      pipFreeze: 'cog==0.23.1',
      hasInit: true,
      source: { revision: 'abc123' },
      created: '2026-11-26T00:00:00.000Z',
    });
    expect(Object.keys(labels).sort()).toEqual([
      'org.opencontainers.image.created',
      'org.opencontainers.image.revision',
      'run.cog.config',
      'run.cog.has_init',
      'run.cog.openapi_schema',
      'run.cog.pip_freeze',
      'run.cog.version',
    ]);
    expect(labels['run.cog.openapi_schema']).toBe('{"openapi":"3.0.2"}');
  });
});
