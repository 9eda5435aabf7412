import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  type Document,
  type Node,
  type YAMLMap,
} from 'yaml';
import type { KeyPath, Position } from './locate.js';

/**
 * cog.yaml as plain values: every scalar is kept as the text it was written with (`3.10` stays
 * "3.10", `yes` stays "yes"), because upstream decodes into typed Go fields and a string field
 * keeps the literal text. Null (`~`, `null`, an empty value) is `null`. The schema decides what a
 * text means for a boolean or integer field.
 */
export type Plain = string | null | Plain[] | { [key: string]: Plain };

/** A problem found while reading the YAML itself (syntax, duplicate keys, odd keys). */
export interface YamlProblem {
  path: KeyPath;
  position: Position;
  message: string;
  /** What to do about it. */
  hint?: string;
}

export interface YamlTree {
  /** The first document; `null` for an empty file or one holding only comments. */
  value: Plain;
  /**
   * Errors. After a syntax error `value` is null and nothing else is checked; after a duplicate
   * key or a bad alias the rest of the tree is still checked (the first value of a key is kept).
   */
  errors: YamlProblem[];
  /** Located warnings (unresolved tags, extra documents). */
  warnings: YamlProblem[];
  /** Where the value at `path` starts, or its nearest parent that exists. */
  positionOf(path: KeyPath): Position;
  /** Where the key of the entry at `path` starts (falls back to the value's position). */
  keyPositionOf(path: KeyPath): Position;
}

/** Alias expansion can blow a tiny file up exponentially ("billion laughs"); cog.yaml is small. */
const maxNodes = 100_000;
/** Deeper nesting than this is never a cog.yaml, and would exhaust the stack. */
const maxDepth = 64;

const mergeKey = '<<';

/** Parses YAML text into a plain tree with a position for every value and key. */
export function readYamlTree(text: string): YamlTree {
  const lines = new LineCounter();
  const positionAt = (offset: number): Position => {
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
  const valuePositions = new Map<string, Position>();
  const keyPositions = new Map<string, Position>();
  const lookup = (table: Map<string, Position>, path: KeyPath): Position => {
    for (let depth = path.length; depth >= 0; depth--) {
      const found = table.get(pathKey(path.slice(0, depth))) ?? valuePositions.get(pathKey(path.slice(0, depth)));
      if (found) return found;
    }
    return { line: 1, column: 1 };
  };
  const tree: YamlTree = {
    value: null,
    errors: [],
    warnings: [],
    positionOf: (path) => lookup(valuePositions, path),
    keyPositionOf: (path) => lookup(keyPositions, path),
  };

  const docs = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false });
  const [doc, ...extra] = Array.isArray(docs) ? docs : [];
  if (!doc) return tree;
  for (const error of doc.errors) {
    tree.errors.push({ path: [], position: positionAt(error.pos[0]), message: `invalid YAML: ${firstLine(error.message)}` });
  }
  if (tree.errors.length > 0) return tree;
  for (const warning of doc.warnings) {
    tree.warnings.push({ path: [], position: positionAt(warning.pos[0]), message: firstLine(warning.message) });
  }
  const [second] = extra;
  if (second) {
    const position = second.range ? positionAt(second.range[0]) : { line: 1, column: 1 };
    tree.warnings.push({ path: [], position, message: `the file holds ${extra.length + 1} YAML documents; only the first is read` });
  }

  const converter = new Converter(doc, positionAt, valuePositions, keyPositions, tree.errors);
  try {
    tree.value = converter.convert(doc.contents, [], 0);
  } catch (error) {
    if (!(error instanceof DocumentTooLarge)) throw error;
    tree.errors.push({ path: [], position: error.position, message: 'the document is too large once its aliases are expanded' });
  }
  return tree;
}

/** Thrown to stop the walk at once: a partial tree of an alias bomb is worth nothing. */
class DocumentTooLarge extends Error {
  constructor(readonly position: Position) {
    super('document too large');
  }
}

/** Walks the YAML nodes once, building plain values and recording positions as it goes. */
class Converter {
  private nodes = 0;
  /** The collections being converted, outermost first: an alias to one of them is a loop. */
  private readonly enclosing = new Set<Node>();

  constructor(
    private readonly doc: Document,
    private readonly positionAt: (offset: number) => Position,
    private readonly valuePositions: Map<string, Position>,
    private readonly keyPositions: Map<string, Position>,
    private readonly errors: YamlProblem[],
  ) {}

  convert(node: unknown, path: KeyPath, depth: number): Plain {
    if (node === null || node === undefined) return null;
    if (!isAlias(node) && !isScalar(node) && !isMap(node) && !isSeq(node)) return null;
    this.record(this.valuePositions, path, node);
    if (++this.nodes > maxNodes) throw new DocumentTooLarge(this.nodePosition(node) ?? { line: 1, column: 1 });
    if (depth > maxDepth) return this.fail(path, node, `values are nested more than ${maxDepth} levels deep`);

    if (isAlias(node)) {
      const target = node.resolve(this.doc);
      if (!target) return this.fail(path, node, `alias *${node.source} refers to no anchor`);
      if (this.enclosing.has(target)) return this.fail(path, node, `alias *${node.source} refers to a value that contains it`);
      return this.convert(target, path, depth + 1);
    }
    if (isScalar(node)) return scalarText(node);
    this.enclosing.add(node);
    try {
      if (isSeq(node)) return node.items.map((item, index) => this.convert(item, [...path, index], depth + 1));
      return this.convertMap(node, path, depth);
    } finally {
      this.enclosing.delete(node);
    }
  }

  private convertMap(node: YAMLMap, path: KeyPath, depth: number): Plain {
    const result: Record<string, Plain> = {};
    const firstSeen = new Map<string, Position>();
    const merges: unknown[] = [];
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = this.keyText(pair.key, path, depth);
      if (key === undefined) continue;
      if (key === mergeKey && isScalar(pair.key) && pair.key.type === 'PLAIN') {
        merges.push(pair.value);
        continue;
      }
      const keyPosition = this.nodePosition(pair.key) ?? this.nodePosition(node) ?? { line: 1, column: 1 };
      const previous = firstSeen.get(key);
      if (previous) {
        this.errors.push({
          path: [...path, key],
          position: keyPosition,
          message: `duplicate key "${key}" (first defined at line ${previous.line})`,
          hint: 'keep only one of them',
        });
        continue;
      }
      firstSeen.set(key, keyPosition);
      this.keyPositions.set(pathKey([...path, key]), keyPosition);
      setEntry(result, key, this.convert(pair.value, [...path, key], depth + 1));
      // An empty value (`key:`) sits after the colon, or nowhere; the key is the place to point at.
      if (!pair.value || (isScalar(pair.value) && pair.value.source === '')) {
        this.valuePositions.set(pathKey([...path, key]), keyPosition);
      }
    }
    // YAML merge keys (`<<: *defaults`), which upstream's YAML library honours: keys written in
    // this mapping win over merged ones, earlier merge sources win over later ones.
    for (const source of merges) this.merge(result, source, path, depth);
    return result;
  }

  private merge(into: Record<string, Plain>, source: unknown, path: KeyPath, depth: number): void {
    const resolved = isAlias(source) ? source.resolve(this.doc) : source;
    if (isSeq(resolved)) {
      for (const item of resolved.items) this.merge(into, item, path, depth);
      return;
    }
    const merged = isMap(resolved) ? this.convert(source, path, depth + 1) : null;
    if (merged === null || typeof merged !== 'object' || Array.isArray(merged)) {
      this.fail(path, source, 'a merge key (<<) must refer to a mapping or a list of mappings');
      return;
    }
    for (const [key, value] of Object.entries(merged)) {
      if (!Object.hasOwn(into, key)) setEntry(into, key, value);
    }
  }

  /** Keys are read as text; a mapping or list used as a key cannot name a field. */
  private keyText(key: unknown, path: KeyPath, depth: number): string | undefined {
    if (key === null || key === undefined) return '';
    const value = this.convert(key, [...path, '(key)'], depth + 1);
    if (typeof value === 'string') return value;
    if (value === null) return '';
    this.fail(path, key, 'a key must be a plain word, not a mapping or a list');
    return undefined;
  }

  private fail(path: KeyPath, node: unknown, message: string): null {
    const position = this.nodePosition(node) ?? { line: 1, column: 1 };
    if (!this.errors.some((e) => e.message === message && pathKey(e.path) === pathKey(path))) {
      this.errors.push({ path, position, message });
    }
    return null;
  }

  private record(table: Map<string, Position>, path: KeyPath, node: unknown): void {
    const position = this.nodePosition(node);
    if (position) table.set(pathKey(path), position);
  }

  private nodePosition(node: unknown): Position | undefined {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    return range ? this.positionAt(range[0]) : undefined;
  }
}

function scalarText(node: { value: unknown; source?: unknown }): string | null {
  if (node.value === null || node.value === undefined) return null;
  return typeof node.source === 'string' ? node.source : String(node.value);
}

/** Own, enumerable, and safe for keys such as `__proto__`. */
function setEntry(target: Record<string, Plain>, key: string, value: Plain): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function pathKey(path: KeyPath): string {
  return JSON.stringify(path);
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

/** The value at `path`, or undefined when any step is missing or of the wrong kind. */
export function valueAt(tree: Plain, path: KeyPath): Plain | undefined {
  let current: Plain | undefined = tree;
  for (const step of path) {
    if (current === null || current === undefined || typeof current !== 'object') return undefined;
    if (typeof step === 'number') {
      current = Array.isArray(current) ? current[step] : undefined;
    } else {
      current = Array.isArray(current) || !Object.hasOwn(current, step) ? undefined : current[step];
    }
  }
  return current;
}

