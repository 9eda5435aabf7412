import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderDoctorReport, unfixedErrors } from '../../../src/doctor/report.js';
import { useCogBaseModel } from '../../../src/doctor/python-fixes.js';
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

function project(cogYaml: string, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cogpack-doctor-'));
  writeFileSync(path.join(dir, 'cog.yaml'), cogYaml);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}
const doctor = (dir: string, fix = false) => runDoctor({ cwd: dir, docker: healthyEngine(), env: {}, fix });
const report = async (dir: string, fix = false) => renderDoctorReport(await doctor(dir, fix)).join('\n');

const runner = 'from cog import BaseRunner\n\n\nclass Runner(BaseRunner):\n    def run(self, text: str) -> str:\n        return "hello " + text\n';
const legacyPredictor = 'from cog import BasePredictor\n\nclass Predictor(BasePredictor):\n    def predict(self, s: str) -> str:\n        return "hello " + s\n';
// Upstream's doctor_pydantic_basemodel / doctor_fix_pydantic test project.
const pydanticPredictor = [
  'from cog import BasePredictor, Path',
  'from pydantic import BaseModel, ConfigDict',
  '',
  '',
  'class VoiceCloningOutputs(BaseModel):',
  '    model_config = ConfigDict(arbitrary_types_allowed=True)',
  '    audio: Path',
  '    spectrogram: Path',
  '',
  '',
  'class Predictor(BasePredictor):',
  '    def predict(self, text: str) -> VoiceCloningOutputs:',
  '        return VoiceCloningOutputs(audio="a.wav", spectrogram="s.png")',
  '',
].join('\n');

describe('cog doctor', () => {
  it('passes a sound project on a sound machine: the experimental notice, no issues found', async () => {
    const dir = project('build:\n  python_version: "3.12"\nrun: "run.py:Runner"\n', { 'run.py': runner });
    const result = await doctor(dir);
    expect(unfixedErrors(result)).toEqual([]);
    expect(result.findings.map((f) => f.check)).toEqual(
      expect.arrayContaining(['config-schema', 'config-predict-ref', 'python-predictor-schema', 'env-docker', 'env-buildkit', 'env-disk', 'env-layer-source', 'env-python-version']),
    );
    const text = renderDoctorReport(result).join('\n');
    expect(text).toMatch(/^cog doctor is experimental/);
    expect(text).toContain('no issues found');
  });

  it('names a missing predictor file, with upstream\'s remediation', async () => {
    const text = await report(project('build:\n  python_version: "3.12"\npredict: "predict.py:Predictor"\n'));
    expect(text).toContain('✗ Predict reference: predict.py not found\n      Remediation: Create predict.py or update the predict field in cog.yaml');
    expect(text).toMatch(/\n1 error, \d+ warnings?$/);
  });

  it('names a missing class and the classes there are', async () => {
    const dir = project('build:\n  python_version: "3.12"\npredict: "predict.py:DoesNotExist"\n', { 'predict.py': legacyPredictor });
    const result = await doctor(dir);
    expect(result.findings.find((f) => f.check === 'config-predict-ref')).toMatchObject({
      severity: 'error',
      message: 'class "DoesNotExist" not found in predict.py; found: Predictor',
    });
  });

  it('reports the deprecated predict interface names, and --fix migrates the starter project to run.py:Runner', async () => {
    const dir = project('build:\n  python_version: "3.12"\npredict: "predict.py:Predictor"\n', { 'predict.py': legacyPredictor });
    const before = await report(dir);
    expect(before).toContain('! Deprecated predict interface names: predict in cog.yaml is deprecated; use run with run.py:Runner');
    expect(before).toContain('! Deprecated predict interface names: predict.py uses deprecated Predictor/BasePredictor/predict() names');
    expect(before).toContain('no issues found (');
    expect(await report(dir, true)).toContain('Fixed: Deprecated predict interface names');
    expect(readFileSync(path.join(dir, 'cog.yaml'), 'utf8')).toContain('run: "run.py:Runner"');
    expect(readFileSync(path.join(dir, 'run.py'), 'utf8')).toContain('class Runner(BaseRunner):\n    def run(self, s: str) -> str:');
    expect(existsSync(path.join(dir, 'predict.py'))).toBe(false);
    const after = await doctor(dir);
    expect(after.findings.filter((f) => f.check === 'predict-to-run-migration' || f.severity === 'error')).toEqual([]);
  });

  it('--fix on another predictor reference renames the key only, keeping comments', async () => {
    const dir = project('# my model\nbuild:\n  python_version: "3.11"\npredict: model.py:Model # the entry point\n', { 'model.py': legacyPredictor.replaceAll('Predictor', 'Model') });
    await doctor(dir, true);
    expect(readFileSync(path.join(dir, 'cog.yaml'), 'utf8')).toBe('# my model\nbuild:\n  python_version: "3.11"\nrun: model.py:Model # the entry point\n');
  });

  it('says why the migration cannot run when run.py is already there', async () => {
    const dir = project('build:\n  python_version: "3.12"\npredict: "predict.py:Predictor"\n', { 'predict.py': legacyPredictor, 'run.py': '# mine\n' });
    const result = await doctor(dir, true);
    expect(result.failedFixes).toEqual([{ check: 'predict-to-run-migration', reason: 'cannot migrate predict.py to run.py because run.py already exists' }]);
    expect(readFileSync(path.join(dir, 'run.py'), 'utf8')).toBe('# mine\n');
    expect(renderDoctorReport(result).join('\n')).toContain('Could not fix Deprecated predict interface names: cannot migrate');
  });

  it('finds a pydantic BaseModel used with arbitrary_types_allowed (upstream\'s test project), and --fix makes it cog.BaseModel', async () => {
    const dir = project('build:\n  python_version: "3.12"\npredict: "predict.py:Predictor"\n', { 'predict.py': pydanticPredictor });
    const before = await doctor(dir);
    expect(unfixedErrors(before).map((f) => f.message)).toEqual([
      'predict.py:5: VoiceCloningOutputs inherits from pydantic.BaseModel with arbitrary_types_allowed; use cog.BaseModel instead',
    ]);
    const fixed = renderDoctorReport(await doctor(dir, true)).join('\n');
    // The starter project's predict → run migration is fixed first (upstream's order), then the
    // model class in the migrated file.
    expect(fixed).toContain('Fixed: Deprecated predict interface names\nFixed: Pydantic BaseModel workaround');
    const source = readFileSync(path.join(dir, 'run.py'), 'utf8');
    expect(source).toContain('from cog import BaseRunner, Path, BaseModel');
    expect(source).not.toMatch(/from pydantic import BaseModel|ConfigDict|arbitrary_types_allowed/);
    expect(unfixedErrors(await doctor(dir))).toEqual([]);
  });

  it('leaves ConfigDict imported when another model still uses it', () => {
    const source = 'from cog import Path\nfrom pydantic import BaseModel, ConfigDict\nclass A(BaseModel):\n    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)\n';
    expect(useCogBaseModel(source)).toBe('from cog import Path, BaseModel\nfrom pydantic import ConfigDict\nclass A(BaseModel):\n    model_config = ConfigDict(frozen=True)\n');
  });

  it('does not take pydantic.BaseModel without arbitrary_types_allowed, nor cog.BaseModel', async () => {
    const dir = project('build:\n  python_version: "3.12"\npredict: "predict.py:Predictor"\n', {
      'predict.py': pydanticPredictor.replace('arbitrary_types_allowed=True', 'arbitrary_types_allowed=False'),
    });
    expect((await doctor(dir)).findings.filter((f) => f.check === 'python-pydantic-basemodel')).toEqual([]);
  });

  it('a user who may not use the engine\'s socket is told about the docker group', async () => {
    const dir = project('build:\n  python_version: "3.12"\nrun: "run.py:Runner"\n', { 'run.py': runner });
    const denied = fakeDocker({
      'version --format {{.Server.Version}}': {
        exitCode: 1,
        stderr: ['permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: Get "http://%2Fvar%2Frun%2Fdocker.sock/v1.24/version": dial unix /var/run/docker.sock: connect: permission denied'],
      },
    });
    const result = await runDoctor({ cwd: dir, docker: denied, env: {} });
    expect(result.findings.find((f) => f.check === 'env-docker')?.fix).toMatch(/^your user may not use the engine's socket: add it to the docker group \(`sudo usermod -aG docker \$USER`/);
  });

  it('says how cog push will read layers here, and why', async () => {
    const dir = project('build:\n  python_version: "3.12"\nrun: "run.py:Runner"\n', { 'run.py': runner });
    expect((await doctor(dir)).findings.find((f) => f.check === 'env-layer-source')).toEqual({
      check: 'env-layer-source',
      severity: 'ok',
      message: `cog push reads layers from the engine's storage at ${tmpdir()} through a helper container (the engine's data root ${tmpdir()} is not readable here (another machine or VM, or not root)), else with docker save`,
    });
    const remote = await runDoctor({ cwd: dir, docker: healthyEngine(), env: { DOCKER_HOST: 'tcp://10.0.0.2:2375' } });
    expect(remote.findings.find((f) => f.check === 'env-layer-source')?.message).toBe('cog push reads layers with docker save (the engine is not local (tcp://10.0.0.2:2375))');
  });

  it('without an engine: an error with its fix', async () => {
    const dir = project('build:\n  python_version: "3.12"\nrun: "run.py:Runner"\n', { 'run.py': runner });
    const result = await runDoctor({ cwd: dir, docker: noEngine(), env: {} });
    expect(result.findings.find((f) => f.check === 'env-docker')).toMatchObject({
      severity: 'error',
      fix: 'start Docker (or dockerd), or point DOCKER_HOST at a running engine',
    });
  });

  it('reports every config error, located', async () => {
    const result = await doctor(project('build:\n  python_version: "2.7"\n  gpu: maybe\n'));
    const errors = unfixedErrors(result).map((f) => f.message);
    expect(errors.some((m) => m.startsWith('cog.yaml:2:19: invalid build.python_version "2.7": minimum supported Python version is 3.10'))).toBe(true);
    expect(errors.some((m) => m.startsWith('cog.yaml:3:8: build.gpu'))).toBe(true);
  });

  it('names the predictor problem at file:line', async () => {
    const dir = project('build:\n  python_version: "3.12"\nrun: predict.py:Predictor\n', {
      'predict.py': 'from cog import BasePredictor\n\nclass Predictor(BasePredictor):\n    def predict(self, x: set[str]) -> str:\n        return ""\n',
    });
    expect((await doctor(dir)).findings.find((f) => f.check === 'python-predictor-schema')?.message).toMatch(/^predict\.py:4: unsupported input type/);
  });

  it('--fix removes imports the SDK no longer has', async () => {
    const dir = project('build:\n  python_version: "3.12"\nrun: "run.py:Runner"\n', { 'run.py': `from cog.types import ExperimentalFeatureWarning\n${runner}` });
    expect(unfixedErrors(await doctor(dir)).map((f) => f.check)).toEqual(['python-deprecated-imports']);
    expect((await doctor(dir, true)).fixed).toEqual(['python-deprecated-imports']);
    expect(readFileSync(path.join(dir, 'run.py'), 'utf8')).toBe(runner);
  });
});
