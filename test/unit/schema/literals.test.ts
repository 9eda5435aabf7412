import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePython } from '../../../src/schema/grammar.js';
import { evaluateLiteral, toJson } from '../../../src/schema/literals.js';
import type { JsonValue } from '../../../src/schema/types.js';

/** Evaluates the right-hand side of `x = <expression>` as the schema parser would. */
async function evaluate(expression: string, constants = ''): Promise<JsonValue | undefined> {
  const tree = await parsePython(`${constants}\nx = ${expression}\n`);
  try {
    const statement = tree.rootNode.namedChildren.at(-1);
    const right = statement?.namedChildren[0]?.childForFieldName('right');
    const value = right ? evaluateLiteral(right, new Map([['K', { kind: 'list', items: [{ kind: 'str', value: 'k' }] }]])) : undefined;
    return value && toJson(value);
  } finally {
    tree.delete();
  }
}

describe('Python literals', () => {
  it.each([
    ['None', null],
    ['True', true],
    ['1_000', 1000],
    ['0o17', 15],
    ['0b101', 5],
    ['-2.5e-3', -0.0025],
    ['.5', 0.5],
    ["'single'", 'single'],
    ['"""triple\nline"""', 'triple\nline'],
    [String.raw`r"\d+\n"`, String.raw`\d+\n`],
    [String.raw`"\x41\101\N{DASH}"`, String.raw`AA\N{DASH}`],
    ['f"no fields {{x}}"', 'no fields {x}'],
    ['("a", "b")', ['a', 'b']],
    ['{"b": 1, "a": [1, 2]}', { a: [1, 2], b: 1 }],
    ['{1, 2}', [1, 2]],
    ['K + ["m"]', ['k', 'm']],
    ['("x")', 'x'],
  ])('%s', async (expression, expected) => {
    expect(await evaluate(expression)).toEqual(expected);
  });

  it.each(['f"{name}"', 'b"bytes"', 'compute()', 'a.b', '1j', 'UNKNOWN', '[1, f()]'])('%s is not a literal', async (expression) => {
    expect(await evaluate(expression)).toBeUndefined();
  });

  it('reads back any string written as an escaped literal', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme' }), async (text) => {
        expect(await evaluate(JSON.stringify(text))).toBe(text);
      }),
      { numRuns: 200 },
    );
  });

  it('reads back any integer and finite double', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })), async (value) => {
        const text = Object.is(value, -0) ? '-0.0' : Number.isInteger(value) && Math.abs(value) < 1e21 ? `${value}` : value.toExponential();
        expect(await evaluate(text)).toBe(Object.is(value, -0) ? -0 : value);
      }),
      { numRuns: 200 },
    );
  });
});
