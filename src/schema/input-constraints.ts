import { describeLiteral } from './literals.js';
import { PredictorSchemaError } from './located-error.js';
import type { InputField, Primitive, PyValue } from './types.js';

/**
 * Refuses the Input() combinations that the runtime refuses when it loads the model
 * (cog/_inspector.py `_validate_input_constraints`), so they fail at build time, at their line,
 * instead of as SETUP_FAILED in a container, except one-element choices, which upstream's static
 * schema takes (a warning). Also the two rules of the static parser itself: `accept` only on files,
 * no constraints on unions.
 */
export function checkInputConstraints(field: InputField, file: string, warn: (message: string) => void): void {
  const fail = (message: string) => new PredictorSchemaError({ file, line: field.line }, `parameter "${field.name}": ${message}`);
  // Upstream's schema validation refuses such a default as invalid; scripts look for that word.
  const invalidDefault = (why: string) =>
    new PredictorSchemaError({ file, line: field.line }, `invalid default for parameter "${field.name}": ${why}`, 'change the default, or the bound');
  const type = field.type;
  if (type.kind === 'union') {
    const constrained = ['ge', 'le', 'minLength', 'maxLength', 'regex', 'choices'].some((key) => field[key as keyof InputField] !== undefined);
    if (constrained) throw fail('constraints and choices are not allowed on a union type — use a single type');
    if (field.accept !== undefined) throw acceptOnNonFile(field, file);
    return;
  }
  const primitive = type.primitive;
  if (field.accept !== undefined && primitive !== 'Path' && primitive !== 'File') throw acceptOnNonFile(field, file);
  const defaults = effectiveDefaults(field);
  if (field.ge !== undefined || field.le !== undefined) {
    if (primitive !== 'int' && primitive !== 'float') throw fail(`ge= and le= need an int or float input, not ${primitive}`);
    for (const value of numbers(defaults)) {
      if (field.ge !== undefined && value < field.ge) throw invalidDefault(`${value} is below ge=${field.ge}`);
      if (field.le !== undefined && value > field.le) throw invalidDefault(`${value} is above le=${field.le}`);
    }
  }
  if (field.minLength !== undefined || field.maxLength !== undefined) {
    if (primitive !== 'str') throw fail(`min_length= and max_length= need a str input, not ${primitive}`);
    for (const value of strings(defaults)) {
      const length = [...value].length;
      if (field.minLength !== undefined && length < field.minLength) throw invalidDefault(`${JSON.stringify(value)} is shorter than min_length=${field.minLength}`);
      if (field.maxLength !== undefined && length > field.maxLength) throw invalidDefault(`${JSON.stringify(value)} is longer than max_length=${field.maxLength}`);
    }
  }
  if (field.regex !== undefined && primitive !== 'str') throw fail(`regex= needs a str input, not ${primitive}`);
  if (field.choices !== undefined) checkChoices(field.choices, primitive, field, { fail, warn: (message) => warn(`${file}:${field.line}: ${message}`) });
}

function checkChoices(
  choices: PyValue[],
  primitive: Primitive,
  field: InputField,
  report: { fail: (message: string) => PredictorSchemaError; warn: (message: string) => void },
): void {
  const { fail } = report;
  if (primitive !== 'str' && primitive !== 'int') throw fail(`choices= needs a str or int input, not ${primitive}`);
  const written = describeLiteral({ kind: 'list', items: choices });
  if (choices.length === 0) throw fail(`choices=${written} must have at least 2 elements`);
  if (choices.length === 1) {
    // Upstream's static schema takes it (a one-value enum), and public projects use it; the
    // runtime since cog 0.17 refuses it when it loads the model, so say so rather than refuse.
    report.warn(
      `parameter "${field.name}": choices=${written} has one element; the schema takes it, as upstream's does, but recent Cog runtimes refuse it when the model loads (setup fails) — add a second choice, or drop choices= and keep the default`,
    );
  }
  if (field.ge !== undefined || field.le !== undefined) throw fail('choices= and ge=/le= cannot be used together');
  if (field.minLength !== undefined || field.maxLength !== undefined) throw fail('choices= and min_length=/max_length= cannot be used together');
  const wanted = primitive === 'str' ? 'str' : 'int';
  const stray = choices.find((choice) => choice.kind !== wanted);
  if (stray) throw fail(`choice ${describeLiteral(stray)} is not a ${wanted} like the input`);
}

/** The values the default stands for: each item for a list input, nothing for None. */
function effectiveDefaults(field: InputField): PyValue[] {
  const value = field.default;
  if (!value || value.kind === 'none') return [];
  if (field.type.kind === 'primitive' && field.type.list && (value.kind === 'list' || value.kind === 'tuple')) return value.items;
  return [value];
}

function numbers(values: PyValue[]): number[] {
  return values.flatMap((value) => (value.kind === 'int' || value.kind === 'float' ? [value.value] : []));
}

function strings(values: PyValue[]): string[] {
  return values.flatMap((value) => (value.kind === 'str' ? [value.value] : []));
}

/** Upstream's sentence, word for word. */
function acceptOnNonFile(field: InputField, file: string): PredictorSchemaError {
  return new PredictorSchemaError(
    { file, line: field.line },
    `accept is only valid on Path or File inputs (parameter '${field.name}')`,
    'remove accept=, or make the input a Path',
  );
}
