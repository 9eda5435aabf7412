import { statSync } from 'node:fs';
import path from 'node:path';
import { environmentEntryPattern, reservedNameProblem, splitEnvironmentEntry } from './environment.js';
import type { KeyPath } from './locate.js';
import { modelRepositoryProblem } from './model-ref.js';
import type { Problem, Report } from './report.js';
import { parseYamlInteger } from './scalars.js';
import { checkWeights } from './weights.js';
import { valueAt, type Plain } from './yaml-tree.js';

/**
 * The rules of spec cog-yaml.md §3.2–3.5 that go beyond one value's shape, and the deprecations
 * of §3.3. They read the plain tree defensively (a value of the wrong kind is skipped: the shape
 * check has reported it), so they run even when the shape is wrong and every error shows at once.
 */
export function checkRules(tree: Plain, options: { report: Report; projectDir: string }): void {
  const { report } = options;
  checkEntryPoints(tree, report);
  if (isMapping(valueAt(tree, ['build']))) checkBuild(tree, options);
  checkEnvironment(tree, report);
  checkConcurrency(tree, report);
  checkModel(tree, report);
  checkWeights(tree, report);
  warnAboutDeprecations(tree, report);
}

function text(tree: Plain, at: KeyPath): string | undefined {
  const value = valueAt(tree, at);
  return typeof value === 'string' ? value : undefined;
}

/** A string that is set: upstream treats an empty string as unset. */
function setText(tree: Plain, at: KeyPath): string | undefined {
  const value = text(tree, at);
  return value === '' ? undefined : value;
}

function isMapping(value: Plain | undefined): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyList(tree: Plain, at: KeyPath): Plain[] | undefined {
  const value = valueAt(tree, at);
  return Array.isArray(value) && value.length > 0 ? value : undefined;
}

/** `run.py:Runner`: upstream only checks that the text splits into two around `.py:`. */
const isEntryPoint = (ref: string) => ref.split('.py:').length === 2;

function checkEntryPoints(tree: Plain, report: Report): void {
  const run = setText(tree, ['run']);
  const predict = setText(tree, ['predict']);
  if (run !== undefined && predict !== undefined) {
    report.error(['run'], 'only one of run or predict can be set', { upstream: { field: 'run' }, hint: 'predict is the old name of run; delete predict' });
  } else if (run !== undefined && !isEntryPoint(run)) {
    report.error(['run'], "must be in the form 'run.py:Runner'", { upstream: { field: 'run', value: run } });
  } else if (predict !== undefined && !isEntryPoint(predict)) {
    report.error(['predict'], "must be in the form 'predict.py:Predictor'", { upstream: { field: 'predict', value: predict } });
  }
  const train = setText(tree, ['train']);
  if (train !== undefined && !isEntryPoint(train)) {
    report.error(['train'], "must be in the form 'train.py:Trainer'", { upstream: { field: 'train', value: train } });
  }
}

function checkBuild(tree: Plain, { report, projectDir }: { report: Report; projectDir: string }): void {
  const python = setText(tree, ['build', 'python_version']);
  if (python !== undefined) {
    const problem = pythonVersionProblem(python);
    if (problem) report.error(['build', 'python_version'], problem.message, { hint: problem.hint, upstream: { field: 'build.python_version', value: python.trim() } });
  }

  const requirements = setText(tree, ['build', 'python_requirements']);
  if (nonEmptyList(tree, ['build', 'python_packages']) && requirements !== undefined) {
    report.error(['build'], 'only one of python_packages or python_requirements can be set, not both', {
      at: ['build', 'python_packages'],
      atKey: true,
      upstream: { field: 'build' },
      hint: 'move the packages into the requirements file and delete python_packages',
    });
  }
  if (requirements !== undefined) {
    const problem = requirementsFileProblem(requirements, projectDir);
    if (problem) {
      report.error(['build', 'python_requirements'], problem.message, { hint: problem.hint, upstream: { field: 'build.python_requirements', value: requirements } });
    }
  }

  const cuda = setText(tree, ['build', 'cuda']);
  if (cuda !== undefined) {
    const problem = cudaVersionProblem(cuda);
    if (problem) report.error(['build', 'cuda'], problem, { upstream: { field: 'build.cuda', value: cuda } });
  }
  const cudnn = setText(tree, ['build', 'cudnn']);
  if (cudnn !== undefined && !/^\d+(\.\d+)*$/.test(cudnn)) {
    report.error(['build', 'cudnn'], 'must be a cuDNN version such as "9"', { hint: 'or leave it out and let cog pick one' });
  }
  const sdk = setText(tree, ['build', 'sdk_version']);
  if (sdk !== undefined && sdk !== 'prerelease' && !pep440Version.test(sdk)) {
    report.error(['build', 'sdk_version'], 'must be a version such as "0.18.0" or "0.18.0a1", or "prerelease"');
  }

  for (const field of ['run', 'pre_install'] as const) {
    const steps = valueAt(tree, ['build', field]);
    if (!Array.isArray(steps)) continue;
    steps.forEach((step, index) => {
      const at: KeyPath = isMapping(step) ? ['build', field, index, 'command'] : ['build', field, index];
      const command = text(tree, at);
      if (field === 'pre_install' && step === null) {
        report.error(at, 'must not be empty');
      } else if (command !== undefined && command.trim() === '') {
        report.error(at, 'command is empty', { hint: 'write the command, or delete the entry' });
      } else if (command?.trim().includes('\n')) {
        report.error(at, 'command contains a new line', { hint: 'join the lines with && or move them into a script' });
      }
    });
  }
}

/** Upstream's checks (validatePythonVersion), plus a numeric patch, which it does not check. */
export function pythonVersionProblem(version: string): Problem | undefined {
  const parts = version.trim().split('.');
  if (parts.length < 2) return { message: "must include major and minor version (e.g., '3.11')" };
  const [major, minor, ...patch] = parts.map(goAtoi);
  if (major === undefined) return { message: 'invalid major version number' };
  if (minor === undefined) return { message: 'invalid minor version number' };
  if (patch.length > 1 || (patch.length === 1 && patch[0] === undefined)) return { message: 'invalid patch version number' };
  if (major < 3 || (major === 3 && minor < 10)) return { message: 'minimum supported Python version is 3.10', hint: 'e.g. python_version: "3.13"' };
  return undefined;
}

/** Upstream's checks (validateCUDAVersion), plus a numeric minor, which it checks only for GPU builds. */
export function cudaVersionProblem(version: string): string | undefined {
  const parts = version.split('.');
  if (parts.length < 2) return "must include both major and minor versions (e.g., '11.8')";
  const [major, minor] = parts.map(goAtoi);
  if (major === undefined) return 'invalid major version number';
  if (major < 11) return 'minimum supported CUDA version is 11';
  if (minor === undefined) return 'invalid minor version number';
  return undefined;
}

/** Go's strconv.Atoi: an optional sign and decimal digits. */
function goAtoi(part: string): number | undefined {
  return /^[+-]?\d+$/.test(part) ? Number(part) : undefined;
}

/** PEP 440, as the `packaging` library matches it. */
const pep440Version =
  /^\s*v?(?:\d+!)?\d+(?:\.\d+)*(?:[-_.]?(?:a|b|c|rc|alpha|beta|pre|preview)[-_.]?\d*)?(?:-\d+|[-_.]?(?:post|rev|r)[-_.]?\d*)?(?:[-_.]?dev[-_.]?\d*)?(?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?\s*$/i;

function requirementsFileProblem(file: string, projectDir: string): Problem | undefined {
  const full = file.startsWith('/') ? file : path.join(projectDir, file);
  const relative = file.startsWith('/') ? '' : ' (the path is relative to the folder holding cog.yaml)';
  const stats = full.includes('\0') ? undefined : statSync(full, { throwIfNoEntry: false });
  if (!stats) return { message: 'file does not exist', hint: `create ${file} or fix the path${relative}` };
  if (stats.isDirectory()) return { message: 'is a directory, not a file', hint: 'python_requirements names a requirements file' };
  return undefined;
}

function checkEnvironment(tree: Plain, report: Report): void {
  const entries = valueAt(tree, ['environment']);
  if (!Array.isArray(entries)) return;
  const seen = new Map<string, number>();
  entries.forEach((entry, index) => {
    // Malformed entries are the shape check's (schema.ts); here only names that parse.
    if (typeof entry !== 'string' || !environmentEntryPattern.test(entry)) return;
    const { name } = splitEnvironmentEntry(entry);
    const reserved = reservedNameProblem(name);
    const first = seen.get(name);
    const upstream = { field: 'environment' };
    if (reserved) {
      report.error(['environment', index], reserved.message, { hint: reserved.hint, upstream });
    } else if (first !== undefined) {
      report.error(['environment', index], `environment variable ${JSON.stringify(name)} is already defined`, {
        hint: `environment[${first}] sets it too; keep one of them`,
        upstream,
      });
    }
    if (first === undefined) seen.set(name, index);
  });
}

function checkConcurrency(tree: Plain, report: Report): void {
  const maxText = text(tree, ['concurrency', 'max']);
  const max = maxText === undefined ? undefined : parseYamlInteger(maxText);
  const upstream = { field: 'concurrency.max', value: String(max) };
  if (max !== undefined && max < 1) report.error(['concurrency', 'max'], 'must be at least 1', { upstream });
  if (max !== undefined && max > 1) {
    const [major, minor] = (text(tree, ['build', 'python_version']) ?? '').trim().split('.').map(goAtoi);
    if (major === 3 && minor !== undefined && minor < 11) {
      report.error(['concurrency', 'max'], 'concurrency requires Python 3.11 or higher', { upstream, hint: 'raise build.python_version, or set max: 1' });
    }
  }
  const target = valueAt(tree, ['concurrency', 'default_target']);
  if (typeof target === 'string' && parseYamlInteger(target) === undefined) {
    report.warnAt(['concurrency', 'default_target'], 'concurrency.default_target is not a whole number and is ignored');
  }
}

function checkModel(tree: Plain, report: Report): void {
  const model = setText(tree, ['model']);
  if (model === undefined) return;
  if (setText(tree, ['image']) !== undefined) {
    report.error(['model'], "'model' and 'image' cannot both be set", { upstream: { field: 'model' }, hint: 'model also names the image; delete image' });
  }
  const problem = modelRepositoryProblem(model);
  if (problem) report.error(['model'], problem.message, { hint: problem.hint, upstream: { field: 'model', value: model } });
}

/** Upstream's order: predict, concurrency, python_packages, pre_install (spec §3.3), in upstream's words. */
function warnAboutDeprecations(tree: Plain, report: Report): void {
  const deprecated = (key: KeyPath, replacement: string, hint: string) =>
    report.warnAt(key, `deprecated field "${key.join('.')}": use "${replacement}" instead`, { atKey: true, hint });
  if (setText(tree, ['predict']) !== undefined) deprecated(['predict'], 'run', 'rename the key; the value stays the same');
  const max = valueAt(tree, ['concurrency', 'max']);
  if (max !== undefined && max !== null) {
    deprecated(['concurrency', 'max'], '@cog.concurrent(max=...)', 'decorate your async run() method with it');
  }
  if (nonEmptyList(tree, ['build', 'python_packages'])) {
    deprecated(['build', 'python_packages'], 'build.python_requirements', 'list the packages in a requirements.txt file');
  }
  if (nonEmptyList(tree, ['build', 'pre_install'])) {
    deprecated(['build', 'pre_install'], 'build.run', 'pre_install commands already run after build.run');
  }
}
