import { isNode, isScalar, type Document, type LineCounter } from 'yaml';

export interface Position {
  line: number;
  column: number;
}

/**
 * Where a key path lives in the YAML source. A path that does not exist (a missing key) points
 * at the nearest parent that does, so "python_version is required" lands on `build:`.
 */
export function locate(doc: Document, lines: LineCounter, path: ReadonlyArray<PropertyKey>): Position {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth) as unknown[], true);
    if (isNode(node) && node.range) {
      const pos = lines.linePos(node.range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return { line: 1, column: 1 };
}

/**
 * The literal text of a scalar as written, so `python_version: 3.10` reads as "3.10" rather
 * than the float 3.1 (upstream decodes into string fields and keeps the text).
 */
export function sourceText(doc: Document, path: ReadonlyArray<PropertyKey>): string | undefined {
  const node = doc.getIn(path as unknown[], true);
  if (!isScalar(node) || node.value === null || node.value === undefined) return undefined;
  return typeof node.source === 'string' ? node.source : String(node.value);
}

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/g, '[');
}
