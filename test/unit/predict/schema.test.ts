import { describe, expect, it } from 'vitest';
import { classifyOutput, inputComponent, outputSchema, supportsStreaming } from '../../../src/predict/schema.js';
import { fixtureSchema, manyInputsSchema } from './helpers.js';

// The documents are the static generator's, for the fixtures the integration tests run for real.
describe('reading a model schema', () => {
  it.each([
    ['hello-world', { kind: 'string' }, false],
    ['path-io', { kind: 'file' }, false],
    ['list-path-output', { kind: 'files', iterator: false }, false],
    ['iterator-output', { kind: 'iterator', concatenate: false, itemIsString: true }, true],
    ['complex-output', { kind: 'json' }, false],
    ['echo-types', { kind: 'json' }, false],
  ])('%s: output %j, streaming %s', async (name, kind, streaming) => {
    const document = await fixtureSchema(name);
    expect(classifyOutput(document, outputSchema(document, 'predict'))).toEqual(kind);
    expect(supportsStreaming(document, 'predict')).toBe(streaming);
  });

  it('train mode reads TrainingInput and the /trainings output, and never streams', async () => {
    const document = await fixtureSchema('echo-types');
    expect(Object.keys(inputComponent(document, 'train')!.properties as object)).toEqual(['steps']);
    expect(classifyOutput(document, outputSchema(document, 'train'))).toEqual({ kind: 'string' });
    expect(supportsStreaming(document, 'train')).toBe(false);
  });

  it('has no input component for a document without one (a broken or minimal label)', () => {
    expect(inputComponent({}, 'predict')).toBeUndefined();
    expect(inputComponent({ components: { schemas: { Input: { type: 'object' } } } }, 'predict')).toBeUndefined();
    expect(inputComponent(manyInputsSchema(), 'predict')).toBeDefined();
  });
});
