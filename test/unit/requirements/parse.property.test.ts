import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { satisfies } from '../../../src/compat/pep440.js';
import { parseRequirementsText } from '../../../src/requirements/parse.js';

describe('parseRequirementsText (properties)', () => {
  const lineChars = fc.constantFrom('a', 'Z', '0', '=', '<', '.', '-', '#', ' ', '\\', '@', ';', '/', ':');
  const text = fc.array(fc.string({ unit: lineChars, maxLength: 20 }), { maxLength: 12 }).chain((lines) =>
    fc.constantFrom('\n', '\r\n').map((eol) => lines.join(eol)),
  );

  it('never yields blank lines, comment lines, padding or the project itself', () => {
    fc.assert(
      fc.property(text, (input) => {
        for (const line of parseRequirementsText(input)) {
          expect(line).not.toBe('');
          expect(line).toBe(line.trim());
          expect(line.startsWith('#')).toBe(false);
          expect(/\s#/.test(line)).toBe(false);
          expect(/^-e\s+\.$/.test(line)).toBe(false);
        }
      }),
    );
  });

  it('keeps plain requirement lines as they are', () => {
    const requirement = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}(==[0-9]{1,2}(\.[0-9]{1,2}){0,2})?$/);
    fc.assert(
      fc.property(fc.array(requirement, { maxLength: 8 }), (lines) => {
        expect(parseRequirementsText(lines.join('\n'))).toEqual(lines);
      }),
    );
  });
});

describe('PEP 440 specifiers (properties)', () => {
  const release = fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 3 }).map((parts) => parts.join('.'));

  it('== is reflexive, and >= / < split every pair of releases', () => {
    fc.assert(
      fc.property(release, release, (a, b) => {
        expect(satisfies(a, `==${a}`)).toBe(true);
        expect(satisfies(a, `>=${b}`)).toBe(!satisfies(a, `<${b}`));
        expect(satisfies(a, `<=${b}`)).toBe(!satisfies(a, `>${b}`));
        expect(satisfies(a, `!=${b}`)).toBe(!satisfies(a, `==${b}`));
      }),
    );
  });
});
