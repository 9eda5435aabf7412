import { describe, expect, it } from 'vitest';
import { environmentEntryProblem, reservedNameProblem } from '../../../src/config/environment.js';
import { modelRepositoryProblem } from '../../../src/config/model-ref.js';
import { cudaVersionProblem, pythonVersionProblem } from '../../../src/config/rules.js';
import { parseYamlInteger } from '../../../src/config/scalars.js';
import { editDistance, suggestKey } from '../../../src/config/suggest.js';
import { cleanTarget } from '../../../src/config/weights.js';

describe('suggestKey', () => {
  it.each([
    ['python_verison', 'python_version'],
    ['pyhton_version', 'python_version'],
    ['system-packages', 'system_packages'],
    ['GPU', 'gpu'],
    ['cpu', 'gpu'],
    ['enviroment', 'environment'],
  ])('%s → %s', (typo, key) => {
    expect(suggestKey(typo, ['python_version', 'system_packages', 'gpu', 'environment', 'cuda'])).toBe(key);
  });

  it('suggests nothing for a word that is not a typo', () => {
    expect(suggestKey('dockerfile', ['build', 'run', 'image'])).toBeUndefined();
  });

  it('counts an adjacent swap as one edit', () => {
    expect(editDistance('ab', 'ba')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});

describe('modelRepositoryProblem', () => {
  it.each(['registry.example.com/acme/my-model', 'acme/my-model', 'my-model', 'localhost:5000/acme/my-model', 'r8.im/a__b/c.d-e'])(
    'accepts %s',
    (model) => expect(modelRepositoryProblem(model)).toBeUndefined(),
  );

  it.each([
    ['registry.example.com/acme/my-model:v1', 'must be a bare repository'],
    [`acme/m@sha256:${'a'.repeat(64)}`, 'must be a bare repository'],
    ['Registry.Example.Com/ACME/Model', 'invalid repository'],
    ['acme//model', 'invalid repository'],
    ['-acme/model', 'invalid repository'],
  ])('refuses %s', (model, problem) => {
    expect(modelRepositoryProblem(model)?.message).toMatch(new RegExp(`^${problem}`));
  });
});

describe('version formats', () => {
  it.each([
    ['3.12', undefined],
    [' 3.12.1 ', undefined],
    ['3.99', undefined],
    ['4.0', undefined],
    ['3', "must include major and minor version (e.g., '3.11')"],
    ['x.12', 'invalid major version number'],
    ['3.x', 'invalid minor version number'],
    ['3.12.1.4', 'invalid patch version number'],
    ['3.9', 'minimum supported Python version is 3.10'],
    ['2.7', 'minimum supported Python version is 3.10'],
  ])('python %j → %s', (version, problem) => expect(pythonVersionProblem(version)?.message).toBe(problem));

  it.each([
    ['11.8', undefined],
    ['12.4.1', undefined],
    ['13.0', undefined],
    ['12', "must include both major and minor versions (e.g., '11.8')"],
    ['v12.1', 'invalid major version number'],
    ['10.2', 'minimum supported CUDA version is 11'],
    ['11.A', 'invalid minor version number'],
  ])('cuda %j → %s', (version, problem) => expect(cudaVersionProblem(version)).toBe(problem));
});

describe('environment entries', () => {
  it.each([
    ['A=1', undefined],
    ['_a9=', undefined],
    ['A', 'is not in the KEY=VALUE format'],
    ['=1', 'is not in the KEY=VALUE format'],
    ['9A=1', 'is not valid'],
    ['A.B=1', 'is not valid'],
    ['A=1\n2', 'has a line break'],
  ])('%j', (entry, problem) => {
    const found = environmentEntryProblem(entry);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found?.message).toContain(problem);
  });

  it('reserves exact names and prefixes, case-sensitively', () => {
    expect(reservedNameProblem('PATH')).toBeDefined();
    expect(reservedNameProblem('path')).toBeUndefined();
    expect(reservedNameProblem('R8_TOKEN')?.hint).toContain('names starting with R8_');
    expect(reservedNameProblem('MY_PATH')).toBeUndefined();
  });
});

describe('scalars and paths', () => {
  it.each([
    ['4', 4], ['-1', -1], ['+2', 2], ['0x10', 16], ['0o17', 15], ['2.0', undefined], ['four', undefined], ['99999999999999999999', undefined],
  ])('integer %j → %s', (text, value) => expect(parseYamlInteger(text)).toBe(value));

  it.each([
    ['/src/weights/', '/src/weights'],
    ['/src//weights/./x/..', '/src/weights'],
    ['/src/..', '/'],
    ['/', '/'],
  ])('cleans target %s → %s', (target, cleaned) => expect(cleanTarget(target)).toBe(cleaned));
});
