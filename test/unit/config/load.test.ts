import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidConfigError, loadConfig } from '../../../src/config/load.js';
import { ConfigError } from '../../../src/errors.js';
import { fixture } from '../../support/paths.js';

const file = '/project/cog.yaml';
const load = (text: string) => loadConfig({ file, text });
const withBuild = (rest: string) => `build:\n  python_version: "3.12"\n${rest}`;

function issuesOf(text: string) {
  try {
    load(text);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error('expected a ConfigError');
}
const messagesOf = (text: string) => issuesOf(text).map((i) => i.message);

describe('loadConfig', () => {
  it('loads the hello-world fixture', () => {
    const { config, warnings } = loadConfig({ file: path.join(fixture('hello-world'), 'cog.yaml') });
    expect(config.build.pythonVersion).toBe('3.11');
    expect(config.build.pythonRequirements).toBe(path.join(fixture('hello-world'), 'requirements.txt'));
    expect(config.predict).toBe('predict.py:Predictor');
    expect(warnings).toEqual([]);
  });

  it('keeps the written text of a version: 3.10 is not 3.1', () => {
    const { config } = load('build:\n  python_version: 3.10\n  cuda: 12.0\n  cudnn: 9\n  sdk_version: 0.18\n');
    expect(config.build).toMatchObject({ pythonVersion: '3.10', cuda: '12.0', cudnn: '9', sdkVersion: '0.18' });
  });

  it('reads the new top-level run: as the predictor, without a warning', () => {
    const { config, warnings } = load('build:\n  python_version: "3.13"\nrun: run.py:Runner\n');
    expect(config.predict).toBe('run.py:Runner');
    expect(warnings).toEqual([]);
  });

  it.each([
    ['true', true], ['True', true], ['TRUE', true], ['yes', true], ['Yes', true], ['YES', true],
    ['on', true], ['On', true], ['ON', true], ['y', true], ['Y', true],
    ['false', false], ['False', false], ['FALSE', false], ['no', false], ['No', false], ['NO', false],
    ['off', false], ['Off', false], ['OFF', false], ['n', false], ['N', false], ['~', false],
  ])('reads gpu: %s as %s, as upstream does', (written, gpu) => {
    expect(load(withBuild(`  gpu: ${written}\n`)).config.build.gpu).toBe(gpu);
  });

  it('takes any scalar where a string is expected, as written', () => {
    const { config } = load(withBuild('  system_packages: [1, true, 2.50]\nimage: 123\n'));
    expect(config.build.systemPackages).toEqual(['1', 'true', '2.50']);
    expect(config.image).toBe('123');
  });

  it('treats an empty or null build section as no build section (upstream), and an empty file as valid', () => {
    expect(load('build:\n').config.build.pythonVersion).toBeUndefined();
    expect(load('build: ~\n').config.build.pythonVersion).toBeUndefined();
    expect(load('').config).toMatchObject({ predict: undefined, environment: [], weights: [] });
  });

  it('keeps environment values verbatim and names case-sensitive', () => {
    const { config } = load(withBuild('environment:\n  - "A=x y  z"\n  - B=\n  - C=a=b\n  - path=/mine\n  - "D=\'q\'"\n'));
    expect(config.environment).toEqual([
      { name: 'A', value: 'x y  z' },
      { name: 'B', value: '' },
      { name: 'C', value: 'a=b' },
      { name: 'path', value: '/mine' },
      { name: 'D', value: "'q'" },
    ]);
  });

  it.each([
    'PATH', 'LD_LIBRARY_PATH', 'PYTHONPATH', 'VIRTUAL_ENV', 'PYTHONUNBUFFERED', 'LIBRARY_PATH', 'HF_ENDPOINT',
    'HF_HUB_ENABLE_HF_TRANSFER', 'R8_X', 'REPLICATE_X', 'CUDA_X', 'NVIDIA_X', 'NV_X', 'PGET_X', 'KUBERNETES_X',
  ])('refuses the reserved environment variable %s', (name) => {
    // Upstream's sentence, word for word.
    expect(messagesOf(withBuild(`environment:\n  - ${name}=1\n`))[0]).toBe(
      `invalid environment: environment variable "${name}" is not allowed: reserved for internal use`,
    );
  });

  it('normalises build.run items and appends the deprecated pre_install after them', () => {
    const { config } = load(
      withBuild(
        '  run:\n    - "  echo a  "\n    - command: echo b\n      mounts:\n        - {type: secret, id: t, target: /run/t}\n  pre_install:\n    - echo c\n',
      ),
    );
    expect(config.build.run).toEqual([
      { command: 'echo a', mounts: [] },
      { command: 'echo b', mounts: [{ type: 'secret', id: 't', target: '/run/t' }] },
      { command: 'echo c', mounts: [] },
    ]);
  });

  it('reads a single weight source and a list of them into one shape', () => {
    const { config } = load(
      withBuild(
        'model: r8.im/acme/m\nweights:\n  - name: a\n    target: /src//a/\n    source: {uri: hf://acme/a, exclude: ["*.onnx"]}\n  - name: b\n    target: /src/b\n    source: [{uri: hf://acme/b}, {uri: ./local}]\n',
      ),
    );
    expect(config.weights).toEqual([
      { name: 'a', target: '/src/a', sources: [{ uri: 'hf://acme/a', include: [], exclude: ['*.onnx'] }] },
      {
        name: 'b',
        target: '/src/b',
        sources: [
          { uri: 'hf://acme/b', include: [], exclude: [] },
          { uri: './local', include: [], exclude: [] },
        ],
      },
    ]);
  });

  it('accepts a bare repository with a registry port as model', () => {
    expect(load(withBuild('model: localhost:5000/acme/my-model\n')).config.model).toBe('localhost:5000/acme/my-model');
    expect(load(withBuild('model: my-model\n')).config.model).toBe('my-model');
  });

  it('finds a parent target after its child, too', () => {
    expect(
      messagesOf(
        withBuild('model: m\nweights:\n  - {name: a, target: /w, source: {uri: x}}\n  - {name: b, target: /w/b, source: {uri: y}}\n'),
      ),
    ).toEqual(['weights[1].target: target overlaps with "/w"; weight targets must be disjoint']);
  });

  it('points a YAML syntax error at its line', () => {
    const [issue] = issuesOf('build:\n  python_version: "3.12"\n  system_packages: [ffmpeg\n');
    expect(issue).toMatchObject({ file: 'cog.yaml', line: 4 });
    expect(issue?.message).toMatch(/^invalid YAML: /);
  });

  it('locates a missing python_version at the build section', () => {
    const [issue] = issuesOf('# comment\nbuild:\n  gpu: false\n');
    expect(issue).toMatchObject({ line: 3, path: 'build.python_version' });
    expect(issue?.message).toContain('python_version is required');
  });

  it('rejects Python older than 3.10 at the value', () => {
    expect(issuesOf('build:\n  python_version: "3.8"\n')).toEqual([
      {
        file: 'cog.yaml',
        line: 2,
        column: 19,
        path: 'build.python_version',
        message: 'invalid build.python_version "3.8": minimum supported Python version is 3.10',
        hint: 'e.g. python_version: "3.13"',
      },
    ]);
  });

  it('reports a wrong type at the offending key path', () => {
    const [issue] = issuesOf('build:\n  python_version: "3.12"\n  system_packages: ffmpeg\n');
    expect(issue).toMatchObject({ line: 3, column: 20, path: 'build.system_packages', message: 'build.system_packages: must be a list' });
  });

  it('reports every error at once, shape and rules together, in file order', () => {
    const issues = issuesOf(
      'build:\n  python_version: "3"\n  gpu: 2\nrun: run.py:Runner\npredict: predict.py:Predictor\nenvironment:\n  - "no equals"\n',
    );
    expect(issues.map((i) => i.path)).toEqual(['build.python_version', 'build.gpu', 'run', 'environment[0]']);
  });

  it('names the unknown keys next to the errors they explain', () => {
    let error: unknown;
    try {
      load('build:\n  python_verison: "3.12"\n');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect((error as InvalidConfigError).warnings).toEqual(['cog.yaml:2:3: unknown key "build.python_verison": did you mean "python_version"?']);
    expect((error as Error).message).toBe(
      [
        'cog.yaml is invalid (1 error):',
        '  cog.yaml:2:3: invalid build.python_version: python_version is required. Add it to the build section of your cog.yaml, e.g. `python_version: "3.13"`',
        'warnings:',
        '  cog.yaml:2:3: unknown key "build.python_verison": did you mean "python_version"?',
      ].join('\n'),
    );
  });

  it('requires the requirements file to exist, relative to the project', () => {
    const [issue] = issuesOf('build:\n  python_version: "3.12"\n  python_requirements: nope.txt\n');
    expect(issue).toMatchObject({
      path: 'build.python_requirements',
      message: 'invalid build.python_requirements "nope.txt": file does not exist',
      hint: 'create nope.txt or fix the path (the path is relative to the folder holding cog.yaml)',
    });
  });

  it('warns about deprecated fields even without a build section', () => {
    // Upstream's sentence after the location, the hint on its own line.
    expect(load('predict: predict.py:Predictor\nconcurrency:\n  max: 2\n').warnings).toEqual([
      'cog.yaml:1:1: deprecated field "predict": use "run" instead\n  hint: rename the key; the value stays the same',
      'cog.yaml:3:3: deprecated field "concurrency.max": use "@cog.concurrent(max=...)" instead\n  hint: decorate your async run() method with it',
    ]);
  });

  it('reads the first YAML document and says it ignores the others', () => {
    const { config, warnings } = load('build:\n  python_version: "3.12"\n---\nbuild:\n  python_version: "2.7"\n');
    expect(config.build.pythonVersion).toBe('3.12');
    expect(warnings).toEqual(['cog.yaml:3:1: the file holds 2 YAML documents; only the first is read']);
  });

  it('does not warn about x- keys, which hold anchors for merge keys', () => {
    const { config, warnings } = load('x-base: &base\n  python_version: "3.12"\nbuild:\n  <<: *base\n  gpu: true\n');
    expect(config.build).toMatchObject({ pythonVersion: '3.12', gpu: true });
    expect(warnings).toEqual([]);
  });

  it('lets keys written in a mapping win over merged ones', () => {
    const text = 'x-a: &a {python_version: "3.10", gpu: true}\nbuild:\n  python_version: "3.12"\n  <<: *a\n';
    expect(load(text).config.build).toMatchObject({ pythonVersion: '3.12', gpu: true });
  });

  it('treats a key named __proto__ as an unknown key, not as a prototype', () => {
    const { warnings } = load(withBuild('__proto__:\n  gpu: true\n'));
    expect(warnings[0]).toMatch(/^cog.yaml:3:1: unknown key "__proto__"/);
  });

  it('refuses a document that is not a mapping', () => {
    expect(messagesOf('- a\n- b\n')).toEqual(['must be a mapping of keys to values, such as build: and run:']);
    expect(messagesOf('just text\n')).toEqual(['must be a mapping of keys to values, such as build: and run:']);
  });

  it('refuses runaway alias expansion with an error, not a hang', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 8; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
    expect(messagesOf(lines.join('\n'))).toEqual(['the document is too large once its aliases are expanded']);
  });

  it('formats a ConfigError as file:line:col: upstream sentence, the hint on the next line', () => {
    expect(() => load('build:\n  python_version: "2.7"\n')).toThrow(
      'cog.yaml:2:19: invalid build.python_version "2.7": minimum supported Python version is 3.10\n    hint: e.g. python_version: "3.13"',
    );
  });
});
