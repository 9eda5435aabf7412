import { UserError } from '../errors.js';
import { acceptedTypes, isNode, jsonTypeOf, resolveNode, type JsonType, type SchemaNode } from './schema.js';

/**
 * Client-side input validation (predict.md §1.5), before any container starts: the runtime would
 * refuse the same inputs with a 422, but only after a build, a start and `setup()`. Messages
 * follow upstream's (`pkg/predict/input_validation.go`, worded by kin-openapi).
 */

/** Rejects names the model does not declare (stricter than the runtime, which drops them: a typo should not pass). */
export function checkInputNames(names: Iterable<string>, component: SchemaNode): void {
  const properties = isNode(component.properties) ? component.properties : {};
  const unknown = [...new Set(names)].filter((name) => !Object.hasOwn(properties, name)).sort();
  if (unknown.length === 0) return;
  const valid = Object.keys(properties).sort();
  const what = unknown.length === 1 ? `unknown input "${unknown[0]}"` : `unknown inputs ${unknown.map((n) => `"${n}"`).join(', ')}`;
  throw new UserError(valid.length === 0 ? `${what}; model does not accept inputs` : `${what}; valid inputs are: ${valid.join(', ')}`);
}

/**
 * Checks every input against its property schema and the required list, collecting all problems.
 * Throws one UserError: a single problem as it is, several as upstream lists them.
 */
export function validateInputs(inputs: Record<string, unknown>, component: SchemaNode, document: SchemaNode): void {
  checkInputNames(Object.keys(inputs), component);
  // The runtime ignores OpenAPI `nullable` and refuses an explicit null; omitting the input is how a default applies.
  const nulls = Object.keys(inputs).filter((name) => inputs[name] === null).sort();
  if (nulls.length > 0) throw new UserError(`invalid input "${nulls[0]}": must not be null (omit the input to use its default)`);

  const properties = component.properties as SchemaNode;
  const problems: string[] = [];
  for (const [name, value] of Object.entries(inputs)) {
    const property = properties[name];
    if (isNode(property)) problems.push(...checkValue(value, property, name, document));
  }
  const required = Array.isArray(component.required) ? component.required.filter((r): r is string => typeof r === 'string') : [];
  for (const name of required) if (!Object.hasOwn(inputs, name)) problems.push(`missing required input "${name}"`);
  if (problems.length === 1) throw new UserError(problems[0]!, { hint: inputHint(problems[0]!) });
  if (problems.length > 1) throw new UserError(`input validation failed:\n- ${problems.join('\n- ')}`);
}

function inputHint(problem: string): string | undefined {
  return problem.includes('expected a URL') ? 'prefix a local file path with @ to send the file: -i name=@path/to/file' : undefined;
}

/** The problems with one value, each as `invalid input "path": reason`. */
export function checkValue(value: unknown, node: SchemaNode, path: string, document: SchemaNode): string[] {
  const schema = resolveNode(document, node);
  const fail = (reason: string) => [`invalid input "${path}": ${reason}`];

  if (Array.isArray(schema.allOf)) {
    const problems = schema.allOf.filter(isNode).flatMap((member) => checkValue(value, member, path, document));
    if (problems.length > 0) return problems;
  }
  for (const key of ['anyOf', 'oneOf'] as const) {
    const members = schema[key];
    if (!Array.isArray(members)) continue;
    const fits = members.filter(isNode).some((member) => checkValue(value, member, path, document).length === 0);
    if (!fits && !(value === null && schema.nullable === true)) {
      const types = [...acceptedTypes(document, schema)];
      return fail(types.length > 0 ? `expected ${formatTypes(types)}, got ${typeName(value)}` : `doesn't match any schema from "${key}"`);
    }
  }

  if (typeof schema.type === 'string' && !matchesType(value, schema.type as JsonType)) {
    if (value === null && schema.nullable === true) return [];
    return fail(`expected ${schema.type}, got ${typeName(value)}`);
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((allowed) => sameJson(allowed, value))) {
    return fail(`must be one of: ${schema.enum.map((v) => String(v)).join(', ')}`);
  }

  const problems: string[] = [];
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) problems.push(...fail(`number must be at least ${schema.minimum}`));
    if (typeof schema.maximum === 'number' && value > schema.maximum) problems.push(...fail(`number must be at most ${schema.maximum}`));
  }
  if (typeof value === 'string') {
    // Lengths in code points, as the runtime's validator counts them.
    const length = [...value].length;
    if (typeof schema.minLength === 'number' && length < schema.minLength) problems.push(...fail(`minimum string length is ${schema.minLength}`));
    if (typeof schema.maxLength === 'number' && length > schema.maxLength) problems.push(...fail(`maximum string length is ${schema.maxLength}`));
    const pattern = typeof schema.pattern === 'string' ? compilePattern(schema.pattern) : undefined;
    if (pattern && !pattern.test(value)) problems.push(...fail(`string doesn't match the regular expression "${schema.pattern as string}"`));
    // A Path given as a bare local path is the most common mistake: the runtime cannot open it.
    if (schema.format === 'uri' && !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(value)) problems.push(...fail('expected a URL or a file (-i name=@path)'));
  }
  if (Array.isArray(value) && isNode(schema.items)) {
    value.forEach((item, index) => problems.push(...checkValue(item, schema.items as SchemaNode, `${path}.${index}`, document)));
  }
  if (isNode(value) && isNode(schema.properties)) {
    for (const [key, item] of Object.entries(value)) {
      const property = schema.properties[key];
      if (isNode(property)) problems.push(...checkValue(item, property, `${path}.${key}`, document));
    }
  }
  return problems;
}

function matchesType(value: unknown, type: JsonType): boolean {
  const actual = jsonTypeOf(value);
  if (type === 'number') return actual === 'number' || actual === 'integer';
  return actual === type;
}

/** JSON's names for a value's type, as upstream words them (every number is a "number"). */
function typeName(value: unknown): string {
  const type = jsonTypeOf(value);
  return type === 'integer' ? 'number' : type;
}

function formatTypes(types: string[]): string {
  return types.length === 1 ? types[0]! : `${types.slice(0, -1).join(', ')} or ${types.at(-1)}`;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Python's `re` and JavaScript agree on the patterns models use; one JavaScript cannot compile is
 * left to the runtime rather than refused here.
 */
function compilePattern(pattern: string): RegExp | undefined {
  try {
    return new RegExp(pattern, 'u');
  } catch {
    return undefined;
  }
}
