import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { generateBuildPlan } from '../../../src/dockerfile/generate.js';
import { NotYetAvailableError } from '../../../src/errors.js';
import { readRequirements } from '../../../src/requirements/read.js';
import { fixture } from '../../support/paths.js';

const configOf = (text: string) => loadConfig({ file: '/p/cog.yaml', text }).config;

describe('generateBuildPlan', () => {
  it('hello-world matches its golden Dockerfile', async () => {
    const { config } = loadConfig({ file: path.join(fixture('hello-world'), 'cog.yaml') });
    const plan = generateBuildPlan(config, { requirements: readRequirements(config).lines });
    expect(plan.baseImage).toBe('python:3.11-slim');
    expect(plan.files).toEqual({ 'requirements.txt': 'six==1.17.0\n' });
    await expect(plan.dockerfile).toMatchFileSnapshot('../../golden/hello-world.Dockerfile');
  });

  it('never asks BuildKit to pull a frontend image', () => {
    const plan = generateBuildPlan(configOf('build:\n  python_version: "3.12"\n'), { requirements: [] });
    expect(plan.dockerfile).not.toMatch(/^#\s*syntax/im);
  });

  it('orders the layers so the code comes last', () => {
    const plan = generateBuildPlan(
      configOf('build:\n  python_version: "3.12"\n  system_packages: [cowsay]\n  run: ["echo hi"]\nrun: run.py:Runner\n'),
      { requirements: ['six'] },
    );
    const lines = plan.dockerfile.trimEnd().split('\n');
    const at = (prefix: string) => lines.findIndex((l) => l.startsWith(prefix));
    expect(at('FROM python:3.12-slim')).toBe(0);
    expect(at('RUN --mount=type=cache,target=/var/cache/apt,sharing=locked apt-get update -qq && apt-get install -qqy cowsay')).toBeGreaterThan(at('ENTRYPOINT'));
    expect(at('COPY .cog/build/requirements.txt')).toBeGreaterThan(at('RUN --mount=type=cache,target=/root/.cache/pip python -m pip install'));
    expect(at('RUN --mount=type=cache,target=/root/.cache/uv uv pip install cog')).toBeGreaterThan(at('COPY .cog/build/requirements.txt'));
    expect(at('RUN echo hi')).toBeGreaterThan(at('RUN --mount=type=cache,target=/root/.cache/uv uv pip install cog'));
    expect(lines.at(-2)).toBe('CMD ["python", "-m", "cog.server.http"]');
    expect(lines.at(-1)).toBe('COPY . /src');
    expect(lines).toContain('ENV COG_PREDICT_TYPE_STUB="run.py:Runner"');
  });

  it('leaves the code out for run/serve/exec, which mount it', () => {
    const plan = generateBuildPlan(configOf('build:\n  python_version: "3.12"\n'), { requirements: [], includeSource: false });
    expect(plan.dockerfile).not.toContain('COPY . /src');
  });

  it('quotes environment values, sorted by name', () => {
    const plan = generateBuildPlan(
      configOf('build:\n  python_version: "3.12"\nenvironment:\n  - "ZED=a b"\n  - \'ALPHA=say "hi"\'\n'),
      { requirements: [] },
    );
    expect(plan.dockerfile).toContain('ENV ALPHA="say \\"hi\\"" ZED="a b"\n');
  });

  it('installs a CA bundle before anything that uses the network', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const plan = generateBuildPlan(configOf('build:\n  python_version: "3.12"\n'), { requirements: [], caCert: pem });
    expect(plan.files['cog-ca-cert.crt']).toBe(pem);
    const text = plan.dockerfile;
    expect(text.indexOf('COPY .cog/build/cog-ca-cert.crt')).toBeLessThan(text.indexOf('apt-get update'));
    expect(plan.dockerignore).toContain('!.cog/build/cog-ca-cert.crt');
  });

  it('keeps the user\'s .dockerignore and hides .cog except the generated files', () => {
    const plan = generateBuildPlan(configOf('build:\n  python_version: "3.12"\n'), { requirements: ['six'], userDockerignore: '*.ckpt\n' });
    expect(plan.dockerignore).toBe('*.ckpt\n# added by cogpack\n.cog\n!.cog/build/requirements.txt\n');
  });

  it('renders secret mounts of build.run', () => {
    const plan = generateBuildPlan(
      configOf('build:\n  python_version: "3.12"\n  run:\n    - command: cat /run/secrets/tok\n      mounts: [{type: secret, id: tok, target: /run/secrets/tok}]\n'),
      { requirements: [] },
    );
    expect(plan.dockerfile).toContain('RUN --mount=type=secret,id=tok,target=/run/secrets/tok cat /run/secrets/tok\n');
  });

  it('pins the runtime to build.sdk_version', () => {
    const plan = generateBuildPlan(configOf('build:\n  python_version: "3.12"\n  sdk_version: "0.18.0"\n'), { requirements: [] });
    expect(plan.dockerfile).toContain('uv pip install cog==0.18.0\n');
  });

  it('says GPU images are not there yet rather than building a CPU image', () => {
    expect(() => generateBuildPlan(configOf('build:\n  python_version: "3.12"\n  gpu: true\n'), { requirements: [] })).toThrow(NotYetAvailableError);
  });
});
