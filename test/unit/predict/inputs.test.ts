import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  coerceFlagValue, fileDataUrl, materializeFlagInputs, materializeJsonInputs, parseInputFlags, readJsonInputs,
} from '../../../src/predict/inputs.js';
import { inputComponent, type SchemaNode } from '../../../src/predict/schema.js';
import { manyInputsSchema } from './helpers.js';

const document = manyInputsSchema();
const component = inputComponent(document, 'predict')!;
const property = (name: string) => (component.properties as Record<string, SchemaNode>)[name]!;
const dir = mkdtempSync(path.join(tmpdir(), 'cogpack-inputs-'));
writeFileSync(path.join(dir, 'notes.txt'), 'hello');
writeFileSync(path.join(dir, 'blob'), Buffer.from([0, 1, 2]));

describe('parseInputFlags', () => {
  it('splits at the first =, drops one pair of quotes, groups repeated names in order', () => {
    const grouped = parseInputFlags(['a=1', 'b=x=y', 'c="quoted"', 'a=2', 'd=']);
    expect([...grouped]).toEqual([['a', ['1', '2']], ['b', ['x=y']], ['c', ['quoted']], ['d', ['']]]);
  });

  it('refuses a value without a name', () => {
    expect(() => parseInputFlags(['prompt'])).toThrow("Failed to parse input 'prompt', expected format is 'name=value'");
  });
});

describe('coerceFlagValue: upstream rules (predict.md §1.5)', () => {
  it.each([
    ['prompt', '42', '42'],
    ['repeat', '3', 3],
    ['repeat', '3.5', '3.5'],
    ['temperature', '0.25', 0.25],
    ['temperature', '1', 1],
    ['temperature', '1e-1', 0.1],
    ['uppercase', 'true', true],
    ['uppercase', 'True', 'True'],
    ['level', '2', 2],
    ['style', 'shout', 'shout'],
    ['size', '256', 256],
    ['size', 'large', 'large'],
    ['seed', '99999999999', '99999999999'],
    ['tags', 'one', ['one']],
    ['tags', '["a","b"]', ['a', 'b']],
    ['weights', '0.5', [0.5]],
    ['options', '{"k": 1}', { k: 1 }],
    ['options', 'not json', 'not json'],
  ])('%s=%s → %j', (name, text, expected) => {
    expect(coerceFlagValue(text, property(name), document)).toEqual(expected);
  });
});

describe('materializeFlagInputs', () => {
  it('reads @files into data URLs typed by extension, and makes lists of repeated names', async () => {
    const inputs = await materializeFlagInputs(parseInputFlags(['document=@notes.txt', 'tags=x', 'tags=@blob', 'repeat=2']), { cwd: dir, document, component });
    expect(inputs).toEqual({
      document: `data:text/plain;base64,${Buffer.from('hello').toString('base64')}`,
      tags: ['x', 'data:application/octet-stream;base64,AAEC'],
      repeat: 2,
    });
  });

  it('keeps every value a string without a schema', async () => {
    expect(await materializeFlagInputs(parseInputFlags(['n=3', 'b=true']), { cwd: dir })).toEqual({ n: '3', b: 'true' });
  });

  it('names a missing file', async () => {
    await expect(fileDataUrl('nope.png', { cwd: dir })).rejects.toThrow('Failed to read file "nope.png": no such file');
  });
});

describe('--json', () => {
  it('reads inline JSON, @file and stdin, and insists on an object', async () => {
    writeFileSync(path.join(dir, 'in.json'), '{"prompt": "from file"}');
    expect(await readJsonInputs('{"prompt": "hi", "repeat": 2}', { cwd: dir })).toEqual({ prompt: 'hi', repeat: 2 });
    expect(await readJsonInputs('@in.json', { cwd: dir })).toEqual({ prompt: 'from file' });
    expect(await readJsonInputs('-', { cwd: dir, readStdin: async () => '{"a": 1}' })).toEqual({ a: 1 });
    expect(await readJsonInputs('@-', { cwd: dir, readStdin: async () => '{"a": 2}' })).toEqual({ a: 2 });
    await expect(readJsonInputs('[1]', { cwd: dir })).rejects.toThrow('--json takes an object');
    await expect(readJsonInputs('{nope', { cwd: dir })).rejects.toThrow('Failed to parse JSON');
  });

  it('turns top-level "@path" strings into data URLs and leaves nested ones alone', async () => {
    const inputs = await materializeJsonInputs({ document: '@notes.txt', options: { f: '@notes.txt' }, n: 1 }, { cwd: dir });
    expect(inputs).toEqual({ document: 'data:text/plain;base64,aGVsbG8=', options: { f: '@notes.txt' }, n: 1 });
  });
});
