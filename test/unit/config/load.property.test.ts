import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadConfig } from '../../../src/config/load.js';
import { ConfigError } from '../../../src/errors.js';
import { fixturesDir } from '../../support/paths.js';

// Whatever the text, loadConfig returns a config or throws a ConfigError whose issues are all
// located: never a TypeError, a RangeError or a YAML library exception.
const file = '/nonexistent-project/cog.yaml';

function assertLoadsOrExplains(text: string): void {
  let outcome: ReturnType<typeof loadConfig> | undefined;
  try {
    outcome = loadConfig({ file, text });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    expect(error.issues.length).toBeGreaterThan(0);
    for (const issue of error.issues) {
      expect(issue.line).toBeGreaterThanOrEqual(1);
      expect(issue.column).toBeGreaterThanOrEqual(1);
      expect(typeof issue.message).toBe('string');
      expect(issue.message).not.toBe('');
    }
    return;
  }
  expect(outcome.warnings.every((w) => typeof w === 'string')).toBe(true);
  for (const step of outcome.config.build.run) expect(step.command).not.toContain('\n');
}

/** YAML text for a value, or undefined for the rare value the yaml library will not write. */
function yamlOf(value: unknown): string | undefined {
  try {
    return stringify(value);
  } catch {
    return undefined;
  }
}

const fieldNames = [
  'build', 'run', 'predict', 'train', 'image', 'model', 'concurrency', 'environment', 'weights', 'tests',
  'python_version', 'gpu', 'cuda', 'cudnn', 'python_requirements', 'python_packages', 'system_packages',
  'pre_install', 'sdk_version', 'fast', 'cog_runtime', 'max', 'default_target', 'name', 'target', 'source',
  'uri', 'include', 'exclude', 'command', 'mounts', 'type', 'id', '__proto__', 'constructor', '<<',
];
const trickyStrings = [
  '3.10', '3.8', '3', '3.12.x', 'yes', 'off', 'y', '~', 'null', '', ' ', 'run.py:Runner', 'a.py:B.py:C',
  'PATH=/x', 'A=1', 'A=1', '=x', 'A-B=1', 'a\nb', '/src/weights', '/src/weights/x', '/', 'rel', '!*.bin',
  'a\\b', 'secret', 'hf://acme/x', 'R8_X=1', 'Registry/ACME', 'acme/model:v1', '0', '-1', '0x10', '99999999999999999999',
];

const leaf = fc.oneof(
  fc.constantFrom(...trickyStrings),
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);
const { tree } = fc.letrec((tie) => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('list'), tie('mapping')),
  list: fc.array(tie('tree'), { maxLength: 4 }),
  mapping: fc.dictionary(fc.oneof(fc.constantFrom(...fieldNames), fc.string()), tie('tree'), { maxKeys: 6 }),
}));

const fixtureTexts = ['valid', 'invalid'].flatMap((kind) =>
  readdirSync(path.join(fixturesDir, 'configs', kind)).map((name) =>
    readFileSync(path.join(fixturesDir, 'configs', kind, name, 'cog.yaml'), 'utf8'),
  ),
);

describe('loadConfig on arbitrary input', () => {
  it('any value written as YAML', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const text = yamlOf(value);
        fc.pre(text !== undefined);
        assertLoadsOrExplains(text as string);
      }),
      { numRuns: 300 },
    );
  });

  it('mappings made of real field names and awkward values', () => {
    fc.assert(
      fc.property(tree, (value) => {
        const text = yamlOf(value);
        fc.pre(text !== undefined);
        assertLoadsOrExplains(text as string);
      }),
      { numRuns: 600 },
    );
  });

  it('arbitrary text', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), assertLoadsOrExplains), { numRuns: 300 });
  });

  it('fixtures with random edits (YAML syntax half-broken in every way)', () => {
    const edit = fc.record({ at: fc.nat(), remove: fc.nat({ max: 8 }), insert: fc.string({ maxLength: 6 }) });
    fc.assert(
      fc.property(fc.constantFrom(...fixtureTexts), fc.array(edit, { minLength: 1, maxLength: 4 }), (original, edits) => {
        let text = original;
        for (const { at, remove, insert } of edits) {
          const position = text.length === 0 ? 0 : at % text.length;
          text = text.slice(0, position) + insert + text.slice(position + remove);
        }
        assertLoadsOrExplains(text);
      }),
      { numRuns: 600 },
    );
  });

  it('gives the same answer twice', () => {
    fc.assert(
      fc.property(tree, (value) => {
        const text = yamlOf(value) ?? '';
        const outcome = () => {
          try {
            return loadConfig({ file, text });
          } catch (error) {
            return error instanceof ConfigError ? error.issues : error;
          }
        };
        expect(outcome()).toEqual(outcome());
      }),
      { numRuns: 100 },
    );
  });

  it('survives alias bombs and deep nesting', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 12; i++) bomb.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`);
    assertLoadsOrExplains(bomb.join('\n'));
    assertLoadsOrExplains(`build: ${'['.repeat(500)}${']'.repeat(500)}`);
    assertLoadsOrExplains(`build:\n${Array.from({ length: 300 }, (_, i) => `${' '.repeat(i + 1)}k${i}:`).join('\n')} x`);
    assertLoadsOrExplains('a: &a [*a]');
  });
});
