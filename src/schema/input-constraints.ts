import { describeLiteral } from './literals.js';
import { PredictorSchemaError } from './located-error.js';
import type { InputField, Primitive, PyValue } from './types.js';

/**
 * Refuses the Input() combinations that the runtime refuses when it loads the model
 * (cog/_inspector.py `_validate_input_constraints`), so they fail at build time, at their line,
 * instead of as SETUP_FAILED in a container. Also the two rules of the static parser itself:
 * `accept` only on files, no constraints on unions.
 */
export function checkInputConstraints(field: InputField, file: string): void {
  const fail = (message: string) => new PredictorSchemaError({ file, line: field.line }, `parameter "${field.name}": ${message}`);
  const type = field.type;
  if (type.kind === 'union') {
    const constrained = ['ge', 'le', 'minLength', 'maxLength', 'regex', 'choices'].some((key) => field[key as keyof InputField] !== undefined);
    if (constrained) throw fail('constraints and choices are not allowed on a union type — use a single type');
    if (field.accept !== undefined) throw fail('accept= is only allowed on Path or File inputs');
    return;
  }
  const primitive = type.primitive;
  if (field.accept !== undefined && primitive !== 'Path' && primitive !== 'File') throw fail('accept= is only allowed on Path or File inputs');
  const defaults = effectiveDefaults(field);
  if (field.ge !== undefined || field.le !== undefined) {
    if (primitive !== 'int' && primitive !== 'float') throw fail(`ge= and le= need an int or float input, not ${primitive}`);
    for (const value of numbers(defaults)) {
      if (field.ge !== undefined && value < field.ge) throw fail(`the default ${value} is below ge=${field.ge}`);
      if (field.le !== undefined && value > field.le) throw fail(`the default ${value} is above le=${field.le}`);
    }
  }
  if (field.minLength !== undefined || field.maxLength !== undefined) {
    if (primitive !== 'str') throw fail(`min_length= and max_length= need a str input, not ${primitive}`);
    for (const value of strings(defaults)) {
      const length = [...value].length;
      if (field.minLength !== undefined && length < field.minLength) throw fail(`the default ${JSON.stringify(value)} is shorter than min_length=${field.minLength}`);
      if (field.maxLength !== undefined && length > field.maxLength) throw fail(`the default ${JSON.stringify(value)} is longer than max_length=${field.maxLength}`);
    }
  }
  if (field.regex !== undefined && primitive !== 'str') throw fail(`regex= needs a str input, not ${primitive}`);
  if (field.choices !== undefined) checkChoices(field.choices, primitive, field, fail);
}

function checkChoices(choices: PyValue[], primitive: Primitive, field: InputField, fail: (message: string) => PredictorSchemaError): void {
  if (primitive !== 'str' && primitive !== 'int') throw fail(`choices= needs a str or int input, not ${primitive}`);
  if (choices.length < 2) throw fail(`choices=${describeLiteral({ kind: 'list', items: choices })} must have at least 2 elements`);
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
