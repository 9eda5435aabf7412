import type { z } from 'zod';
import { formatPath, type KeyPath } from './locate.js';
import type { Report } from './report.js';
import { configFileSchema, pythonVersionRequired, type ConfigFile } from './schema.js';
import { suggestKey } from './suggest.js';
import { valueAt, type Plain } from './yaml-tree.js';

/**
 * Checks the tree against the zod schema. Every shape error is reported (not just the deepest, as
 * upstream does); unknown and removed keys become warnings. Returns the typed file when the shape
 * is right.
 */
export function checkShape(tree: Plain, report: Report): ConfigFile | undefined {
  warnAboutUnknownKeys(configFileSchema, tree, [], report);
  const parsed = configFileSchema.safeParse(tree ?? {}, { error: describeIssue });
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) reportIssue(issue, [], tree, report);
  return undefined;
}

/** Keys upstream removed in 0.17.0; they are read and ignored there too, but say so. */
const removedKeys = new Set(['build.fast', 'build.cog_runtime', 'build.python_overrides', 'tests']);

/** Upstream's wording for schema errors: "must be a <type>", with YAML's names for the types. */
function describeIssue(issue: z.core.$ZodRawIssue): string | undefined {
  if ((issue.code === 'invalid_type' || issue.code === 'invalid_value') && (issue.input === undefined || issue.input === null)) {
    return 'is required';
  }
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${typeName(issue.expected)}`;
    case 'too_small':
      return issue.origin === 'array' ? 'must not be an empty list' : 'must not be empty';
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union':
      return 'has the wrong type';
    default:
      return undefined;
  }
}

function typeName(expected: string): string {
  switch (expected) {
    case 'object':
      return 'a mapping';
    case 'array':
      return 'a list';
    case 'int':
    case 'number':
      return 'a whole number';
    case 'boolean':
      return 'true or false';
    default:
      return `a ${expected}`;
  }
}

/** For a union the user got wrong in kind (neither branch fits), what the place takes. */
const unionExpectations: Record<string, string> = {
  'build.run[]': 'must be a command, or a mapping with command: and mounts:',
  'weights[].source': 'must be a mapping with uri:, or a list of such mappings',
};

/** What to write when a required key is missing, by place (list indexes as `[]`). */
const requiredHints: Record<string, string> = {
  'concurrency.max': 'is required in the concurrency section, e.g. max: 4',
  'build.run[].command': 'is required: the command to run, e.g. command: pip install -r extra.txt',
  'build.run[].mounts[].type': 'is required: type: secret',
  'build.run[].mounts[].id': 'is required: the id given to cog build --secret id=<id>,src=<file>',
  'build.run[].mounts[].target': 'is required: where the secret appears, e.g. target: /run/secrets/token',
  'weights[].name': 'is required: a unique lower-case name, e.g. name: base',
  'weights[].target': 'is required: an absolute path in the container, e.g. target: /src/weights',
  'weights[].source': 'is required, e.g. source: {uri: hf://acme/model}',
  'weights[].source.uri': 'is required, e.g. uri: hf://acme/model',
  'weights[].source[].uri': 'is required, e.g. uri: hf://acme/model',
};

/** A table lookup that a key such as `constructor` (from the user's file) cannot fool. */
function ownEntry<T>(table: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** `weights[0].source` → `weights[].source`. */
function placeOf(path: KeyPath): string {
  return formatPath(path.map((step) => (typeof step === 'number' ? '[]' : step))).replace(/\.\[\]/g, '[]');
}

/**
 * The shape errors upstream reports as ValidationErrors (`invalid <field>: <message>`), so the
 * sentence is upstream's. Upstream's schema check words the others differently (and reports only
 * one), so cogpack's `<key path>: <message>` stands for them.
 */
function upstreamField(place: string, message: string): string | undefined {
  if (place === 'environment[]') return 'environment';
  if (place === 'build.python_version' && message === pythonVersionRequired) return 'build.python_version';
  return undefined;
}

function reportIssue(issue: z.core.$ZodIssue, base: KeyPath, tree: Plain, report: Report): void {
  const path = [...base, ...(issue.path as KeyPath)];
  if (issue.code === 'invalid_union') {
    reportUnionIssue(issue, path, tree, report);
    return;
  }
  // A second line, when there is one, is the hint (see schema.ts).
  let [message = '', hint] = issue.message.split('\n');
  if (message === 'is required') {
    // A missing list item reads better as "empty" than "required".
    message = typeof path[path.length - 1] === 'number' ? 'must not be empty' : (ownEntry(requiredHints, placeOf(path)) ?? message);
  }
  const field = upstreamField(placeOf(path), message);
  report.shapeError(path, message, { ...(hint ? { hint } : {}), ...(field ? { upstream: { field } } : {}) });
}

/**
 * zod reports a union as one issue holding each branch's issues. When the value's kind matches
 * exactly one branch (a mapping for the mapping form), that branch's issues are the real ones.
 */
function reportUnionIssue(issue: z.core.$ZodIssueInvalidUnion, path: KeyPath, tree: Plain, report: Report): void {
  const value = valueAt(tree, path);
  if (value === null || value === undefined) {
    const required = ownEntry(requiredHints, placeOf(path)) ?? 'is required';
    report.shapeError(path, typeof path[path.length - 1] === 'number' ? 'must not be empty' : required);
    return;
  }
  const fitting = issue.errors.filter((branch) => !branch.some((i) => i.code === 'invalid_type' && i.path.length === 0));
  const [only] = fitting;
  if (fitting.length === 1 && only) {
    for (const inner of only) reportIssue(inner, path, tree, report);
    return;
  }
  const expected = issue.errors
    .map((branch) => branch.find((i) => i.code === 'invalid_type' && i.path.length === 0))
    .map((i) => (i?.code === 'invalid_type' ? typeName(i.expected) : undefined))
    .filter((name): name is string => name !== undefined);
  report.shapeError(path, ownEntry(unionExpectations, placeOf(path)) ?? `must be ${expected.join(' or ')}`);
}

interface SchemaDef {
  type: string;
  innerType?: z.core.$ZodType;
  in?: z.core.$ZodType;
  shape?: Record<string, z.core.$ZodType>;
  element?: z.core.$ZodType;
  options?: readonly z.core.$ZodType[];
}

function definition(schema: z.core.$ZodType): SchemaDef {
  return schema._zod.def as unknown as SchemaDef;
}

/** The schema under optional/nullable/catch/default/pipe wrappers. */
function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let current = schema;
  for (;;) {
    const def = definition(current);
    const inner = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
    if (!inner) return current;
    current = inner;
  }
}

function isMapping(value: Plain | undefined): value is { [key: string]: Plain } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The keys of the mapping schema at the root, for "this belongs elsewhere" hints. */
function shapeOf(schema: z.core.$ZodType): Record<string, z.core.$ZodType> {
  return definition(unwrap(schema)).shape ?? {};
}

function warnAboutUnknownKeys(schema: z.core.$ZodType, value: Plain | undefined, path: KeyPath, report: Report): void {
  const def = definition(unwrap(schema));
  if (def.type === 'object' && def.shape && isMapping(value)) {
    for (const [key, child] of Object.entries(value)) {
      const childSchema = ownEntry(def.shape, key);
      if (childSchema) warnAboutUnknownKeys(childSchema, child, [...path, key], report);
      else if (!(path.length === 0 && isExtensionKey(key))) warnAboutUnknownKey([...path, key], Object.keys(def.shape), report);
    }
  } else if (def.type === 'array' && def.element && Array.isArray(value)) {
    const element = def.element;
    value.forEach((item, index) => warnAboutUnknownKeys(element, item, [...path, index], report));
  } else if (def.type === 'union' && def.options) {
    const kind = Array.isArray(value) ? 'array' : isMapping(value) ? 'object' : 'scalar';
    const option = def.options.find((o) => definition(unwrap(o)).type === kind);
    if (option) warnAboutUnknownKeys(option, value, path, report);
  }
}

/** `x-common: &common …`: the Compose convention for a top-level key that only holds anchors. */
function isExtensionKey(key: string): boolean {
  return key.startsWith('x-');
}

function warnAboutUnknownKey(path: KeyPath, siblings: string[], report: Report): void {
  const name = formatPath(path);
  const key = String(path[path.length - 1]);
  const warn = (message: string, hint?: string) => report.warnAt(path, message, { atKey: true, ...(hint ? { hint } : {}) });
  if (removedKeys.has(name)) {
    warn(`key "${name}" was removed in Cog 0.17 and is ignored`, 'delete it');
    return;
  }
  const rootKeys = Object.keys(shapeOf(configFileSchema));
  const buildKeys = Object.keys(shapeOf(shapeOf(configFileSchema).build ?? configFileSchema));
  if (path.length === 1 && buildKeys.includes(key)) {
    warn(`unknown key "${name}": did you mean "build.${key}"?`, 'it belongs in the build section');
  } else if (path.length > 1 && rootKeys.includes(key)) {
    warn(`unknown key "${name}": did you mean the top-level "${key}"?`, `it does not belong under ${formatPath(path.slice(0, -1))}`);
  } else {
    const suggestion = suggestKey(key, siblings);
    if (suggestion) warn(`unknown key "${name}": did you mean "${suggestion}"?`);
    else warn(`unknown key "${name}" is ignored`, `the keys here are: ${[...siblings].sort().join(', ')}`);
  }
}
