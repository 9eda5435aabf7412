import { describe, expect, it } from 'vitest';
import { inputComponent, type SchemaNode } from '../../../src/predict/schema.js';
import { checkInputNames, validateInputs } from '../../../src/predict/validate.js';
import { manyInputsSchema } from './helpers.js';

// Upstream's own validation test schema (pkg/predict/input_validation_test.go), as JSON.
const upstream: SchemaNode = {
  components: {
    schemas: {
      Mode: { type: 'string', enum: ['fast', 'slow'] },
      Input: {
        type: 'object',
        required: ['prompt'],
        properties: {
          prompt: { type: 'string', minLength: 1 },
          steps: { type: 'integer', minimum: 1, maximum: 10 },
          flag: { type: 'boolean' },
          nums: { type: 'array', items: { type: 'integer' } },
          mode: { allOf: [{ $ref: '#/components/schemas/Mode' }] },
          opts: { type: 'object', properties: { scale: { type: 'number' } } },
        },
      },
      TrainingInput: { type: 'object', required: ['epochs'], properties: { epochs: { type: 'integer', minimum: 1 } } },
    },
  },
};

function messageOf(inputs: Record<string, unknown>, document: SchemaNode = upstream, mode: 'predict' | 'train' = 'predict'): string {
  try {
    validateInputs(inputs, inputComponent(document, mode)!, document);
    return '';
  } catch (error) {
    return (error as Error).message;
  }
}

describe('validateInputs: upstream messages, word for word', () => {
  it.each([
    ['valid input', { prompt: 'hello', steps: 5, mode: 'fast', opts: { scale: 2 } }, ''],
    ['missing required', { steps: 5 }, 'missing required input "prompt"'],
    ['wrong type', { prompt: 10 }, 'invalid input "prompt": expected string, got number'],
    ['nested type', { prompt: 'hi', opts: { scale: 'bad' } }, 'invalid input "opts.scale": expected number, got string'],
    ['enum via allOf', { prompt: 'hi', mode: 'medium' }, 'invalid input "mode": must be one of: fast, slow'],
    ['minimum', { prompt: 'hi', steps: 0 }, 'invalid input "steps": number must be at least 1'],
    ['maximum', { prompt: 'hi', steps: 11 }, 'invalid input "steps": number must be at most 10'],
    ['integer', { prompt: 'hi', steps: 2.5 }, 'invalid input "steps": expected integer, got number'],
    ['array items', { prompt: 'hi', nums: [1, 'x'] }, 'invalid input "nums.1": expected integer, got string'],
    ['explicit null', { prompt: 'hello', steps: null }, 'invalid input "steps": must not be null (omit the input to use its default)'],
    ['unknown key', { prompt: 'hello', typo: true }, 'unknown input "typo"; valid inputs are: flag, mode, nums, opts, prompt, steps'],
    ['several unknown', { a: 1, b: 2 }, 'unknown inputs "a", "b"; valid inputs are: flag, mode, nums, opts, prompt, steps'],
  ])('%s', (_name, inputs, expected) => {
    expect(messageOf(inputs)).toBe(expected);
  });

  it('lists several problems at once', () => {
    expect(messageOf({ prompt: 10, steps: 0 })).toBe(
      'input validation failed:\n- invalid input "prompt": expected string, got number\n- invalid input "steps": number must be at least 1',
    );
  });

  it('train mode validates against TrainingInput, else Input', () => {
    expect(messageOf({ epochs: 1 }, upstream, 'train')).toBe('');
    expect(messageOf({ prompt: 'hi' }, upstream, 'train')).toContain('unknown input "prompt"');
    const withoutTraining = { components: { schemas: { Input: (upstream.components as any).schemas.Input } } };
    expect(messageOf({ prompt: 'hi' }, withoutTraining, 'train')).toBe('');
  });

  it('a model without inputs says so', () => {
    expect(() => checkInputNames(['x'], { properties: {} })).toThrow('unknown input "x"; model does not accept inputs');
    expect(() => checkInputNames(['x', 'y'], { properties: {} })).toThrow('unknown inputs "x", "y"; model does not accept inputs');
  });
});

describe('validateInputs against a schema the static generator wrote (many-inputs)', () => {
  const document = manyInputsSchema();
  const check = (inputs: Record<string, unknown>) => messageOf(inputs, document);

  it('accepts defaults being left out and every type given right', () => {
    expect(check({ prompt: 'hi' })).toBe('');
    expect(check({ prompt: 'hi', repeat: 5, temperature: 0.1, uppercase: true, code: 'XYZ-987', level: 3, tags: ['x'], size: 'large', options: { a: 1 } })).toBe('');
    expect(check({ prompt: 'hi', size: 512 })).toBe('');
  });

  it.each([
    [{ prompt: '' }, 'invalid input "prompt": minimum string length is 1'],
    [{ prompt: 'x'.repeat(201) }, 'invalid input "prompt": maximum string length is 200'],
    [{ prompt: 'hi', repeat: 6 }, 'invalid input "repeat": number must be at most 5'],
    [{ prompt: 'hi', temperature: -0.5 }, 'invalid input "temperature": number must be at least 0'],
    [{ prompt: 'hi', code: 'abc-123' }, 'invalid input "code": string doesn\'t match the regular expression "^[A-Z]{3}-\\d{3}$"'],
    [{ prompt: 'hi', style: 'loud' }, 'invalid input "style": must be one of: plain, shout, whisper'],
    [{ prompt: 'hi', level: 4 }, 'invalid input "level": must be one of: 1, 2, 3'],
    [{ prompt: 'hi', size: true }, 'invalid input "size": expected integer or string, got boolean'],
    [{ prompt: 'hi', uppercase: 'yes' }, 'invalid input "uppercase": expected boolean, got string'],
    [{ prompt: 'hi', document: 'notes.txt' }, 'invalid input "document": expected a URL or a file (-i name=@path)'],
    [{ repeat: 2 }, 'missing required input "prompt"'],
  ])('%j → %s', (inputs, expected) => {
    expect(check(inputs)).toBe(expected);
  });

  it('counts string length in characters, not UTF-16 units', () => {
    expect(check({ prompt: '😀'.repeat(200) })).toBe('');
  });

  it('a Path given as a URL or data URL passes', () => {
    expect(check({ prompt: 'hi', document: 'data:text/plain;base64,aGk=' })).toBe('');
    expect(check({ prompt: 'hi', document: 'https://example.com/a.txt' })).toBe('');
  });
});
