import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { planBuild } from '../../../src/workflows/plan.js';
import { readProject, type Project } from '../../../src/workflows/project.js';
import { resolveModel } from '../../../src/workflows/resolve.js';
import { copyFixture } from '../../support/project-copy.js';
import { fixture } from '../../support/paths.js';

// Project → Resolution → plan, with no engine: the availability of a cog-base image is the one
// question asked outside, and it is injected.

describe('resolveModel', () => {
  it('a CPU project: its Python, its requirements, python:X-slim', async () => {
    const resolution = await resolveModel(await readProject({ cwd: fixture('hello-world'), schema: false }), { env: {} });
    expect(resolution).toMatchObject({ python: '3.11', cuda: undefined, cudnn: undefined, requirements: ['six==1.17.0'], schema: undefined });
    expect(resolution.base).toMatchObject({ kind: 'python', image: 'python:3.11-slim' });
  });

  it('a GPU project: CUDA and cuDNN from torch, the torch index, and the cog-base image asked about once, by its mirrored name', async () => {
    const asked: string[] = [];
    const resolution = await resolveModel(await readProject({ cwd: fixture('gpu-torch'), schema: false }), {
      env: { COG_IMAGE_MIRRORS: 'r8.im=mirror.example/r8' },
      imageAvailable: async (image) => {
        asked.push(image);
        return true;
      },
    });
    expect(asked).toEqual(['mirror.example/r8/cog-base:cuda12.1-python3.12-torch2.3.1']);
    expect(resolution).toMatchObject({ cuda: '12.1', cudnn: '8', frameworks: { torch: '2.3.1' } });
    expect(resolution.base).toMatchObject({ kind: 'cog-base', image: 'mirror.example/r8/cog-base:cuda12.1-python3.12-torch2.3.1' });
    expect(resolution.requirements[0]).toBe('--extra-index-url https://download.pytorch.org/whl/cu121/');
  });

  it('never asks about a cog-base image when --use-cog-base-image=false; mirrors the image it falls back to', async () => {
    const asked: string[] = [];
    const resolution = await resolveModel(await readProject({ cwd: fixture('gpu-torch'), schema: false }), {
      env: { COG_IMAGE_MIRRORS: 'docker.io=mirror.example/hub' },
      useCogBaseImage: false,
      imageAvailable: async (image) => Boolean(asked.push(image)),
    });
    expect(asked).toEqual([]);
    expect(resolution.base.image).toBe('mirror.example/hub/nvidia/cuda:12.1.1-cudnn8-devel-ubuntu22.04');
  });

  it('takes COG_REGISTRY_HOST for cog-base images', async () => {
    const asked: string[] = [];
    await resolveModel(await readProject({ cwd: fixture('hello-world'), schema: false }), {
      env: { COG_REGISTRY_HOST: 'registry.example' },
      imageAvailable: async (image) => Boolean(asked.push(image)) && false,
    });
    expect(asked).toEqual(['registry.example/cog-base:python3.11']);
  });

  it('hands on the schema the project stage read, and its warnings after cog.yaml\'s', async () => {
    const project: Project = {
      ...(await readProject({ cwd: fixture('hello-world'), schema: false })),
      warnings: ['a cog.yaml warning'],
      schema: { json: '{"openapi":"3.0.2"}', warnings: ['a schema warning'] },
    };
    const resolution = await resolveModel(project, { env: {} });
    expect(resolution.schema).toBe('{"openapi":"3.0.2"}');
    expect(resolution.warnings.slice(0, 2)).toEqual(['a cog.yaml warning', 'a schema warning']);
  });
});

describe('planBuild: the plan comes from the resolution, not from the files again', () => {
  it('plans the same build after cog.yaml, the requirements and the predictor are gone', async () => {
    const dir = copyFixture('hello-world');
    const project = await readProject({ cwd: dir, schema: { file: undefined } });
    const resolution = await resolveModel(project, { env: {} });
    const before = planBuild(resolution, { cwd: dir, env: {} });
    for (const file of ['cog.yaml', 'requirements.txt', 'predict.py']) rmSync(path.join(dir, file));
    const after = planBuild(resolution, { cwd: dir, env: {} });
    expect(after.build).toEqual(before.build);
    expect(after.resolution.schema).toContain('"openapi"');
    expect(after.build.dockerfile).toContain('FROM python:3.11-slim');
  });

  it('reads the build settings of the environment it is given: a CA bundle, package indexes', async () => {
    const dir = copyFixture('hello-world');
    const ca = path.join(dir, 'ca.crt');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const resolution = await resolveModel(await readProject({ cwd: dir, schema: false }), { env: {} });
    const plan = planBuild(resolution, { cwd: dir, env: { COG_CA_CERT: ca, PIP_INDEX_URL: 'https://mirror.example/simple' } });
    expect(plan.build.files['cog-ca-cert.crt']).toContain('BEGIN CERTIFICATE');
    expect(plan.secrets).toEqual(['id=cog_pip_index_url,env=PIP_INDEX_URL', 'id=cog_uv_index_url,env=PIP_INDEX_URL']);
  });
});
