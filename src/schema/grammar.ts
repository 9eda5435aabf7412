import { createRequire } from 'node:module';
import type { Node, Parser, Tree } from 'web-tree-sitter';

export type { Node as SyntaxNode, Tree as SyntaxTree } from 'web-tree-sitter';

let parserPromise: Promise<Parser> | undefined;

/**
 * The Python parser, created on first use. The WASM runtime and grammar (~20 ms to load) are only
 * imported here, so commands that never read a predictor (and `cog --help`) do not pay for them.
 */
export function loadPythonParser(): Promise<Parser> {
  parserPromise ??= createParser().catch((error: unknown) => {
    parserPromise = undefined;
    throw error;
  });
  return parserPromise;
}

async function createParser(): Promise<Parser> {
  const { Parser: ParserClass, Language } = await import('web-tree-sitter');
  await ParserClass.init();
  // The grammar ships as a .wasm file inside the tree-sitter-python package; resolve it from
  // node_modules at run time so a bundled or globally installed cogpack finds it the same way.
  const require = createRequire(import.meta.url);
  const python = await Language.load(require.resolve('tree-sitter-python/tree-sitter-python.wasm'));
  const parser = new ParserClass();
  parser.setLanguage(python);
  return parser;
}

/** Parses Python source; the caller must `delete()` the tree (it lives in WASM memory). */
export async function parsePython(source: string): Promise<Tree> {
  const parser = await loadPythonParser();
  const tree = parser.parse(source);
  if (!tree) throw new Error('tree-sitter returned no tree');
  return tree;
}

/** The first syntax error under `node`, if any: an ERROR node or a token the parser had to invent. */
export function findSyntaxError(node: Node): Node | undefined {
  if (!node.hasError) return undefined;
  for (const child of node.children) {
    if (child.isError || child.isMissing) return child;
    const inner = findSyntaxError(child);
    if (inner) return inner;
  }
  return node;
}
