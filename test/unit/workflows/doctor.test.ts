import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDoctor } from '../../../src/workflows/doctor.js';
import { fakeDocker } from '../../support/fake-docker.js';

const healthyEngine = () =>
  fakeDocker({
    'version --format {{.Server.Version}}': { stdout: '20.10.24' },
    'buildx version': { exitCode: 1 },
    'version --format {{.Client.Version}}': { stdout: '20.10.24' },
    'info --format {{.DockerRootDir}}': { stdout: tmpdir() },
    'info --format {{json .}}': { stdout: JSON.stringify({ Driver: 'overlay2', DockerRootDir: tmpdir() }) },
  });
const noEngine = () => fakeDocker({ 'version --format {{.Server.Version}}': { exitCode: 1, stderr: ['Cannot connect to the Docker daemon'] } });

function project(cogYaml: string, predictPy: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cogpack-doctor-'));
  writeFileSync(path.join(dir, 'cog.yaml'), cogYaml);
  writeFileSync(path.join(dir, 'predict.py'), predictPy);
  return dir;
}
const goodPredictor = 'from cog import BasePredictor\n\nclass Predictor(BasePredictor):\n    def predict(self, text: str) -> str:\n        return text\n';

describe('cog doctor', () => {
  it('passes a sound project on a sound machine', async () => {
    const dir = project('build:\n  python_version: "3.11"\nrun: predict.py:Predictor\n', goodPredictor);
    const report = await runDoctor({ cwd: dir, docker: healthyEngine(), env: {} });
    expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(report.findings.map((f) => f.check)).toEqual(
      expect.arrayContaining(['config-schema', 'config-predict-ref', 'env-docker', 'env-buildkit', 'env-disk', 'env-layer-source', 'env-python-version']),
    );
  });

  it('says how cog push will read layers here, and why', async () => {
    const dir = project('build:\n  python_version: "3.11"\nrun: predict.py:Predictor\n', goodPredictor);
    const report = await runDoctor({ cwd: dir, docker: healthyEngine(), env: {} });
    expect(report.findings.find((f) => f.check === 'env-layer-source')).toEqual({
      check: 'env-layer-source',
      severity: 'ok',
      message: `cog push reads layers with docker save (the engine's data root ${tmpdir()} is not readable here (another machine or VM, or not root))`,
    });
  });

  it('a user who may not use the engine\'s socket is told about the docker group', async () => {
    const dir = project('build:\n  python_version: "3.11"\nrun: predict.py:Predictor\n', goodPredictor);
    const denied = fakeDocker({
      'version --format {{.Server.Version}}': {
        exitCode: 1,
        stderr: ['permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: Get "http://%2Fvar%2Frun%2Fdocker.sock/v1.24/version": dial unix /var/run/docker.sock: connect: permission denied'],
      },
    });
    const report = await runDoctor({ cwd: dir, docker: denied, env: {} });
    expect(report.findings.find((f) => f.check === 'env-docker')?.fix).toMatch(/^your user may not use the engine's socket: add it to the docker group \(`sudo usermod -aG docker \$USER`/);
  });

  it('without an engine: an error with its fix', async () => {
    const dir = project('build:\n  python_version: "3.11"\nrun: predict.py:Predictor\n', goodPredictor);
    const report = await runDoctor({ cwd: dir, docker: noEngine(), env: {} });
    expect(report.findings.find((f) => f.check === 'env-docker')).toMatchObject({
      severity: 'error',
      fix: 'start Docker (or dockerd), or point DOCKER_HOST at a running engine',
    });
  });

  it('reports every config error, located', async () => {
    const dir = project('build:\n  python_version: "2.7"\n  gpu: maybe\n', goodPredictor);
    const report = await runDoctor({ cwd: dir, docker: healthyEngine(), env: {} });
    const errors = report.findings.filter((f) => f.severity === 'error').map((f) => f.message);
    expect(errors.some((m) => m.startsWith('cog.yaml:2:19: invalid build.python_version'))).toBe(true);
    expect(errors.some((m) => m.startsWith('cog.yaml:3:8: build.gpu'))).toBe(true);
  });

  it('names the predictor problem at file:line', async () => {
    const dir = project('build:\n  python_version: "3.11"\nrun: predict.py:Predictor\n', 'from cog import BasePredictor\n\nclass Predictor(BasePredictor):\n    def predict(self, x: set[str]) -> str:\n        return ""\n');
    const report = await runDoctor({ cwd: dir, docker: healthyEngine(), env: {} });
    expect(report.findings.find((f) => f.check === 'config-predict-ref')?.message).toMatch(/^predict\.py:4: unsupported input type/);
  });

  it('--fix renames predict: to run: keeping comments, and removes removed imports', async () => {
    const dir = project(
      '# my model\nbuild:\n  python_version: "3.11"\npredict: predict.py:Predictor # the entry point\n',
      `from cog.types import ExperimentalFeatureWarning\n${goodPredictor}`,
    );
    const before = await runDoctor({ cwd: dir, docker: healthyEngine(), env: {} });
    expect(before.findings.filter((f) => f.fixable).map((f) => f.check).sort()).toEqual(['config-deprecated-fields', 'python-deprecated-imports']);
    const fixed = await runDoctor({ cwd: dir, docker: healthyEngine(), env: {}, fix: true });
    expect(fixed.fixed).toHaveLength(2);
    expect(readFileSync(path.join(dir, 'cog.yaml'), 'utf8')).toBe('# my model\nbuild:\n  python_version: "3.11"\nrun: predict.py:Predictor # the entry point\n');
    expect(readFileSync(path.join(dir, 'predict.py'), 'utf8')).not.toContain('ExperimentalFeatureWarning');
    const after = await runDoctor({ cwd: dir, docker: healthyEngine(), env: {} });
    expect(after.findings.filter((f) => f.severity !== 'ok')).toEqual([]);
  });
});
