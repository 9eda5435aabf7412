import type { SyntaxNode } from './grammar.js';
import type { JsonValue, PyValue } from './types.js';

/** Module-level constants by name, usable in defaults, descriptions and choices (as upstream). */
export type ConstantScope = ReadonlyMap<string, PyValue>;

const noScope: ConstantScope = new Map();

/**
 * Evaluates a Python expression that is a literal, or is built from literals and module constants
 * (`-1`, `("a", "b")`, `A + B`, `list(D.keys())`). Anything else is undefined: it would need Python.
 */
export function evaluateLiteral(node: SyntaxNode, scope: ConstantScope = noScope): PyValue | undefined {
  switch (node.type) {
    case 'none':
      return { kind: 'none' };
    case 'true':
      return { kind: 'bool', value: true };
    case 'false':
      return { kind: 'bool', value: false };
    case 'integer':
      return parseInteger(node.text);
    case 'float':
      return parseFloatLiteral(node.text);
    case 'string':
    case 'concatenated_string':
      return parseStringNode(node);
    case 'parenthesized_expression': {
      const inner = node.namedChildren.find((child) => child.type !== 'comment');
      return inner ? evaluateLiteral(inner, scope) : undefined;
    }
    case 'list':
    case 'tuple':
    case 'set':
      return evaluateItems(node, node.type, scope);
    case 'dictionary':
      return evaluateDict(node, scope);
    case 'unary_operator':
      return evaluateUnary(node, scope);
    case 'binary_operator':
      return evaluateConcatenation(node, scope);
    case 'identifier':
      return scope.get(node.text);
    case 'call':
      return evaluateKeysOrValues(node, scope);
    default:
      return undefined;
  }
}

function parseInteger(text: string): PyValue | undefined {
  const digits = text.replaceAll('_', '').toLowerCase();
  if (/[jl]$/.test(digits)) return undefined;
  const value = /^0[box]/.test(digits) ? Number(digits) : Number.parseInt(digits, 10);
  return Number.isFinite(value) ? { kind: 'int', value } : undefined;
}

function parseFloatLiteral(text: string): PyValue | undefined {
  const digits = text.replaceAll('_', '');
  if (/j$/i.test(digits)) return undefined;
  const value = Number(digits);
  return Number.isFinite(value) ? { kind: 'float', value } : undefined;
}

function evaluateItems(node: SyntaxNode, kind: 'list' | 'tuple' | 'set', scope: ConstantScope): PyValue | undefined {
  const items: PyValue[] = [];
  for (const child of node.namedChildren) {
    if (child.type === 'comment') continue;
    const value = evaluateLiteral(child, scope);
    if (!value) return undefined;
    items.push(value);
  }
  return { kind, items };
}

function evaluateDict(node: SyntaxNode, scope: ConstantScope): PyValue | undefined {
  const entries: Array<[PyValue, PyValue]> = [];
  for (const pair of node.namedChildren) {
    if (pair.type === 'comment') continue;
    if (pair.type !== 'pair') return undefined;
    const key = pair.childForFieldName('key');
    const value = pair.childForFieldName('value');
    const keyValue = key && evaluateLiteral(key, scope);
    const valueValue = value && evaluateLiteral(value, scope);
    if (!keyValue || !valueValue) return undefined;
    entries.push([keyValue, valueValue]);
  }
  return { kind: 'dict', entries };
}

function evaluateUnary(node: SyntaxNode, scope: ConstantScope): PyValue | undefined {
  const operator = node.childForFieldName('operator')?.text;
  const argument = node.childForFieldName('argument');
  const value = argument && evaluateLiteral(argument, scope);
  if (!value || (value.kind !== 'int' && value.kind !== 'float')) return undefined;
  if (operator === '-') return { kind: value.kind, value: -value.value };
  if (operator === '+') return value;
  return undefined;
}

/** `A + B` for lists, tuples and strings: how choices are often assembled from constants. */
function evaluateConcatenation(node: SyntaxNode, scope: ConstantScope): PyValue | undefined {
  if (node.childForFieldName('operator')?.text !== '+') return undefined;
  const leftNode = node.childForFieldName('left');
  const rightNode = node.childForFieldName('right');
  const left = leftNode && evaluateLiteral(leftNode, scope);
  const right = rightNode && evaluateLiteral(rightNode, scope);
  if (!left || !right) return undefined;
  if (left.kind === 'str' && right.kind === 'str') return { kind: 'str', value: left.value + right.value };
  if ((left.kind === 'list' || left.kind === 'tuple') && left.kind === right.kind) {
    return { kind: left.kind, items: [...left.items, ...right.items] };
  }
  return undefined;
}

/** `list(D.keys())` / `list(D.values())` over a module-level dict constant. */
function evaluateKeysOrValues(node: SyntaxNode, scope: ConstantScope): PyValue | undefined {
  if (node.childForFieldName('function')?.text !== 'list') return undefined;
  const args = node.childForFieldName('arguments')?.namedChildren.filter((child) => child.type !== 'comment') ?? [];
  const inner = args[0];
  if (args.length !== 1 || inner?.type !== 'call') return undefined;
  const method = inner.childForFieldName('function');
  if (method?.type !== 'attribute') return undefined;
  const target = scope.get(method.childForFieldName('object')?.text ?? '');
  const which = method.childForFieldName('attribute')?.text;
  if (target?.kind !== 'dict') return undefined;
  if (which === 'keys') return { kind: 'list', items: target.entries.map(([key]) => key) };
  if (which === 'values') return { kind: 'list', items: target.entries.map(([, value]) => value) };
  return undefined;
}

/** A `string` or `concatenated_string` node as a str; bytes and f-strings with fields are not literals. */
export function parseStringNode(node: SyntaxNode): PyValue | undefined {
  const parts = node.type === 'concatenated_string' ? node.namedChildren.filter((child) => child.type === 'string') : [node];
  let value = '';
  for (const part of parts) {
    if (part.namedChildren.some((child) => child.type === 'interpolation')) return undefined;
    const decoded = decodeStringLiteral(part.text);
    if (decoded === undefined) return undefined;
    value += decoded;
  }
  return { kind: 'str', value };
}

const stringLiteral = /^([a-zA-Z]*)("""|'''|"|')([\s\S]*)\2$/;

function decodeStringLiteral(text: string): string | undefined {
  const match = stringLiteral.exec(text);
  if (!match) return undefined;
  const prefix = (match[1] ?? '').toLowerCase();
  const body = match[3] ?? '';
  if (prefix.includes('b')) return undefined;
  if (prefix.includes('r')) return body;
  return decodeEscapes(prefix.includes('f') ? body.replaceAll('{{', '{').replaceAll('}}', '}') : body);
}

const simpleEscapes: Record<string, string> = {
  '\n': '',
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/** Python's escape sequences in a non-raw string; unknown ones keep their backslash, as Python does. */
function decodeEscapes(body: string): string {
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|N\{[^}]*\}|[\s\S])/g, (whole, code: string) => {
    const simple = simpleEscapes[code];
    if (simple !== undefined) return simple;
    if (/^[xuU]/.test(code)) return String.fromCodePoint(Number.parseInt(code.slice(1), 16));
    if (/^[0-7]/.test(code)) return String.fromCodePoint(Number.parseInt(code, 8));
    if (code === '\r') return '';
    return whole;
  });
}

/**
 * The JSON form of a literal, as upstream writes it: tuples and sets become arrays, and dict keys
 * come out sorted (Go's encoder sorts map keys).
 */
export function toJson(value: PyValue): JsonValue {
  switch (value.kind) {
    case 'none':
      return null;
    case 'bool':
    case 'int':
    case 'float':
    case 'str':
      return value.value;
    case 'list':
    case 'tuple':
    case 'set':
      return value.items.map(toJson);
    case 'dict': {
      const entries = value.entries.map(([key, item]): [string, JsonValue] => [key.kind === 'str' ? key.value : String(toJson(key)), toJson(item)]);
      entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return Object.fromEntries(entries);
    }
  }
}

/** How a literal reads in a message: Python syntax, short. */
export function describeLiteral(value: PyValue): string {
  switch (value.kind) {
    case 'none':
      return 'None';
    case 'bool':
      return value.value ? 'True' : 'False';
    case 'int':
    case 'float':
      return String(value.value);
    case 'str':
      return JSON.stringify(value.value);
    case 'list':
      return `[${value.items.map(describeLiteral).join(', ')}]`;
    case 'tuple':
      return `(${value.items.map(describeLiteral).join(', ')})`;
    case 'set':
      return `{${value.items.map(describeLiteral).join(', ')}}`;
    case 'dict':
      return `{${value.entries.map(([key, item]) => `${describeLiteral(key)}: ${describeLiteral(item)}`).join(', ')}}`;
  }
}
