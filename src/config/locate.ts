/** A line and column in cog.yaml, both 1-based. */
export interface Position {
  line: number;
  column: number;
}

/** Where a value sits in the document: mapping keys and list indexes, e.g. `['build', 'run', 0]`. */
export type KeyPath = ReadonlyArray<string | number>;

/** `['build', 'run', 0, 'command']` → `build.run[0].command`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/g, '[');
}
