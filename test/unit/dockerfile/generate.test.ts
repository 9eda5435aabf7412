import { describe, expect, it } from 'vitest';
import type { BaseImageChoice } from '../../../src/compat/types.js';
import { loadConfig } from '../../../src/config/load.js';
import { generateBuildPlan, type GenerateOptions } from '../../../src/dockerfile/generate.js';
import { planBuild } from '../../../src/workflows/plan.js';
import { readProject } from '../../../src/workflows/project.js';
import { resolveModel, type ResolveOptions } from '../../../src/workflows/resolve.js';
import { fixture } from '../../support/paths.js';

const configOf = (text: string) => loadConfig({ file: '/p/cog.yaml', text }).config;
const slim = (version = '3.12'): BaseImageChoice => ({ kind: 'python', image: `python:${version}-slim`, warnings: [] });
const generate = (text: string, options: Partial<GenerateOptions> = {}) =>
  generateBuildPlan(configOf(text), { base: slim(), pythonVersion: '3.12', breakSystemPackages: false, requirements: [], ...options });

/** A fixture's project → resolution → plan, as `cog build` makes them (no engine: availability is injected). */
async function planFixture(name: string, options: Omit<ResolveOptions, 'env'> = {}) {
  const cwd = fixture(name);
  const resolution = await resolveModel(await readProject({ cwd, schema: false }), { env: {}, ...options });
  return planBuild(resolution, { cwd, env: {} });
}
const minimal = 'build:\n  python_version: "3.12"\n';

describe('golden Dockerfiles', () => {
  it('hello-world (CPU, python:3.11-slim)', async () => {
    const model = await planFixture('hello-world');
    expect(model.resolution.base).toMatchObject({ kind: 'python', image: 'python:3.11-slim' });
    expect(model.build.files).toEqual({ 'requirements.txt': 'six==1.17.0\n' });
    await expect(model.build.dockerfile).toMatchFileSnapshot('../../golden/hello-world.Dockerfile');
  });

  it('gpu-torch on nvidia/cuda: CUDA from torch, Python through uv, the cu121 index', async () => {
    const model = await planFixture('gpu-torch', { useCogBaseImage: false });
    expect(model.resolution).toMatchObject({ cuda: '12.1', cudnn: '8' });
    expect(model.resolution.base.image).toBe('nvidia/cuda:12.1.1-cudnn8-devel-ubuntu22.04');
    expect(model.resolution.requirements).toEqual(['--extra-index-url https://download.pytorch.org/whl/cu121/', 'torch==2.3.1', 'torchvision==0.18.1', 'numpy==1.26.4']);
    await expect(model.build.dockerfile).toMatchFileSnapshot('../../golden/gpu-torch.cuda.Dockerfile');
  });

  it('gpu-torch on a cog-base image when one is available', async () => {
    const asked: string[] = [];
    const model = await planFixture('gpu-torch', {
      imageAvailable: async (image) => {
        asked.push(image);
        return true;
      },
    });
    expect(asked).toEqual(['r8.im/cog-base:cuda12.1-python3.12-torch2.3.1']);
    expect(model.resolution.base).toMatchObject({ kind: 'cog-base', image: 'r8.im/cog-base:cuda12.1-python3.12-torch2.3.1' });
    await expect(model.build.dockerfile).toMatchFileSnapshot('../../golden/gpu-torch.cog-base.Dockerfile');
  });

  it('gpu-torch with --use-cuda-base-image=false lands on python:X-slim', async () => {
    const model = await planFixture('gpu-torch', { useCogBaseImage: false, useCudaBaseImage: false });
    expect(model.resolution.base.image).toBe('python:3.12-slim');
    expect(model.build.dockerfile).not.toContain('uv python install');
  });
});

describe('generateBuildPlan', () => {
  it('never asks BuildKit to pull a frontend image', () => {
    expect(generate(minimal).dockerfile).not.toMatch(/^#\s*syntax/im);
  });

  it('orders the layers so the code comes last', () => {
    const plan = generate('build:\n  python_version: "3.12"\n  system_packages: [cowsay]\n  run: ["echo hi"]\nrun: run.py:Runner\n', { requirements: ['six'] });
    const lines = plan.dockerfile.trimEnd().split('\n');
    const at = (prefix: string) => lines.findIndex((l) => l.startsWith(prefix));
    expect(at('FROM python:3.12-slim')).toBe(0);
    expect(at('RUN --mount=type=cache,target=/var/cache/apt,sharing=locked apt-get update -qq && apt-get install -qqy cowsay')).toBeGreaterThan(at('ENTRYPOINT'));
    expect(at('COPY .cog/build/requirements.txt')).toBeGreaterThan(at('RUN --mount=type=cache,target=/root/.cache/pip'));
    expect(at('RUN --mount=type=cache,target=/root/.cache/uv uv pip install cog')).toBeGreaterThan(at('COPY .cog/build/requirements.txt'));
    expect(at('RUN echo hi')).toBeGreaterThan(at('RUN --mount=type=cache,target=/root/.cache/uv uv pip install cog'));
    expect(lines.at(-2)).toBe('CMD ["python", "-m", "cog.server.http"]');
    expect(lines.at(-1)).toBe('COPY . /src');
    expect(lines).toContain('ENV COG_PREDICT_TYPE_STUB="run.py:Runner"');
  });

  it('leaves the code out for run/serve/exec, which mount it', () => {
    expect(generate(minimal, { includeSource: false }).dockerfile).not.toContain('COPY . /src');
  });

  it('copies a config file of another name to /src/cog.yaml', () => {
    expect(generate(minimal, { configFileName: 'prod.yaml' }).dockerfile.trimEnd().split('\n').at(-1)).toBe('RUN cp "/src/prod.yaml" /src/cog.yaml');
  });

  it('quotes environment values, sorted by name', () => {
    const plan = generate('build:\n  python_version: "3.12"\nenvironment:\n  - "ZED=a b"\n  - \'ALPHA=say "hi"\'\n');
    expect(plan.dockerfile).toContain('ENV ALPHA="say \\"hi\\"" ZED="a b"\n');
  });

  it('installs a CA bundle before anything that uses the network', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const plan = generate(minimal, { caCert: pem });
    expect(plan.files['cog-ca-cert.crt']).toBe(pem);
    expect(plan.dockerfile.indexOf('COPY .cog/build/cog-ca-cert.crt')).toBeLessThan(plan.dockerfile.indexOf('apt-get update'));
    expect(plan.dockerignore).toContain('!.cog/build/cog-ca-cert.crt');
  });

  it('keeps the user\'s .dockerignore and hides .cog except the generated files', () => {
    const plan = generate(minimal, { requirements: ['six'], userDockerignore: '*.ckpt\n' });
    expect(plan.dockerignore).toBe('*.ckpt\n# added by cogpack\n.cog\n!.cog/build/requirements.txt\n');
  });

  it('stages local artifacts and removes any cog they pulled in', () => {
    const plan = generate(minimal, { requirements: ['/tmp/local_package_artifacts/dist/x-1.0-py3-none-any.whl'], localArtifacts: true });
    const text = plan.dockerfile;
    expect(text).toContain('COPY .cog/build/local_package_artifacts/ /tmp/local_package_artifacts/\n');
    expect(text.indexOf('RUN uv pip uninstall cog coglet')).toBeGreaterThan(text.indexOf('-r /tmp/requirements.txt'));
    expect(plan.dockerignore).toContain('!.cog/build/local_package_artifacts\n');
  });

  it('renders secret mounts of build.run', () => {
    const plan = generate('build:\n  python_version: "3.12"\n  run:\n    - command: cat /run/secrets/tok\n      mounts: [{type: secret, id: tok, target: /run/secrets/tok}]\n');
    expect(plan.dockerfile).toContain('RUN --mount=type=secret,id=tok,target=/run/secrets/tok cat /run/secrets/tok\n');
  });

  it('pins the runtime to build.sdk_version, with --pre for pre-releases', () => {
    expect(generate('build:\n  python_version: "3.12"\n  sdk_version: "0.18.0"\n').dockerfile).toContain('uv pip install cog==0.18.0\n');
    expect(generate('build:\n  python_version: "3.12"\n  sdk_version: "0.18.0a1"\n').dockerfile).toContain('uv pip install --pre cog==0.18.0a1\n');
    expect(generate('build:\n  python_version: "3.12"\n  sdk_version: prerelease\n').dockerfile).toContain('uv pip install --pre cog\n');
  });

  it('on cog-base: no preamble, tini or ldconfig, and packages the base has are not asked for again', () => {
    const plan = generate('build:\n  python_version: "3.12"\n  system_packages: [ffmpeg, cowsay]\n', {
      base: { kind: 'cog-base', image: 'r8.im/cog-base:python3.12', cogBaseTag: 'python3.12', warnings: [] },
    });
    expect(plan.dockerfile).not.toContain('tini');
    expect(plan.dockerfile).not.toContain('ldconfig');
    expect(plan.dockerfile).not.toContain('DEBIAN_FRONTEND');
    expect(plan.dockerfile).toContain('apt-get install -qqy cowsay &&');
  });

  it('adds --break-system-packages to every uv install when asked', () => {
    const plan = generate(minimal, { requirements: ['six'], breakSystemPackages: true });
    expect(plan.dockerfile).toContain('uv pip install --break-system-packages -r /tmp/requirements.txt');
    expect(plan.dockerfile).toContain('uv pip install --break-system-packages cog\n');
  });
});
