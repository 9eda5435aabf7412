import path from 'node:path';
import type { Parser } from 'web-tree-sitter';
import type { SyntaxNode, SyntaxTree } from './grammar.js';
import { evaluateLiteral } from './literals.js';
import type { PyValue } from './types.js';

/** Where a name came from: `from <module> import <original> as <local>`, or `import <module> as <local>`. */
export interface ImportedName {
  module: string;
  /** Undefined for `import module` (the name is the module itself). */
  original: string | undefined;
}

export interface ClassFacts {
  name: string;
  node: SyntaxNode;
  /** Base class expressions as written (`BaseModel`, `cog.BaseModel`, `Output`). */
  bases: string[];
  /** `class X(TypedDict, total=False)`. */
  totalFalse: boolean;
}

/** What one Python file declares at module level: the facts the schema is built from. */
export interface ModuleFacts {
  /** Path relative to the project directory, with forward slashes; used in messages. */
  file: string;
  root: SyntaxNode;
  imports: Map<string, ImportedName>;
  constants: Map<string, PyValue>;
  classes: Map<string, ClassFacts>;
  functions: Map<string, SyntaxNode>;
}

/** A dotted name split into where it comes from and what it is called there. */
export interface ResolvedName {
  /** The module it was imported from; undefined for builtins and names defined in the file. */
  module: string | undefined;
  /** The name in that module (`Path` for `cog.Path`, `Optional` for `t.Optional`). */
  name: string;
}

/** Reads the facts of one parsed module. Only module-level statements count, as in upstream. */
export function collectModuleFacts(file: string, tree: SyntaxTree): ModuleFacts {
  const facts: ModuleFacts = { file, root: tree.rootNode, imports: new Map(), constants: new Map(), classes: new Map(), functions: new Map() };
  for (const statement of tree.rootNode.namedChildren) {
    const definition = unwrapDecorated(statement);
    switch (definition.type) {
      case 'import_statement':
        collectImport(definition, facts.imports);
        break;
      case 'import_from_statement':
        collectImportFrom(definition, facts.imports);
        break;
      case 'class_definition':
        collectClass(definition, facts.classes);
        break;
      case 'function_definition': {
        const name = definition.childForFieldName('name')?.text;
        if (name) facts.functions.set(name, definition);
        break;
      }
      case 'expression_statement':
        collectConstant(definition, facts.constants);
        break;
    }
  }
  return facts;
}

/** The class or function under its decorators. */
export function unwrapDecorated(node: SyntaxNode): SyntaxNode {
  return node.type === 'decorated_definition' ? (node.childForFieldName('definition') ?? node) : node;
}

function collectImport(node: SyntaxNode, imports: Map<string, ImportedName>): void {
  for (const name of node.childrenForFieldName('name')) {
    if (name.type === 'aliased_import') {
      const module = name.childForFieldName('name')?.text;
      const alias = name.childForFieldName('alias')?.text;
      if (module && alias) imports.set(alias, { module, original: undefined });
    } else {
      // `import a.b` binds `a`; later `a.b.X` is resolved through it.
      const top = name.text.split('.')[0] ?? name.text;
      imports.set(top, { module: top, original: undefined });
    }
  }
}

function collectImportFrom(node: SyntaxNode, imports: Map<string, ImportedName>): void {
  const module = node.childForFieldName('module_name')?.text.replaceAll(/\s/g, '');
  if (!module) return;
  for (const name of node.childrenForFieldName('name')) {
    if (name.type === 'aliased_import') {
      const original = name.childForFieldName('name')?.text;
      const alias = name.childForFieldName('alias')?.text;
      if (original && alias) imports.set(alias, { module, original });
    } else {
      imports.set(name.text, { module, original: name.text });
    }
  }
}

function collectClass(node: SyntaxNode, classes: Map<string, ClassFacts>): void {
  const name = node.childForFieldName('name')?.text;
  if (!name) return;
  const bases: string[] = [];
  let totalFalse = false;
  for (const argument of node.childForFieldName('superclasses')?.namedChildren ?? []) {
    if (argument.type === 'keyword_argument') {
      if (argument.childForFieldName('name')?.text === 'total' && argument.childForFieldName('value')?.type === 'false') totalFalse = true;
    } else if (argument.type === 'identifier' || argument.type === 'attribute') {
      bases.push(argument.text);
    }
  }
  classes.set(name, { name, node, bases, totalFalse });
}

function collectConstant(statement: SyntaxNode, constants: Map<string, PyValue>): void {
  const assignment = statement.namedChildren[0];
  if (statement.namedChildCount !== 1 || assignment?.type !== 'assignment') return;
  const left = assignment.childForFieldName('left');
  const right = assignment.childForFieldName('right');
  if (left?.type !== 'identifier' || !right) return;
  const value = evaluateLiteral(right, constants);
  // A later non-literal assignment shadows an earlier literal one.
  if (value) constants.set(left.text, value);
  else constants.delete(left.text);
}

/** `cog.Path` → {module: "cog", name: "Path"}; `Path` imported from cog → the same; `str` → {name: "str"}. */
export function resolveName(text: string, imports: ReadonlyMap<string, ImportedName>): ResolvedName {
  const parts = text.split('.');
  const head = parts[0] ?? text;
  const imported = imports.get(head);
  if (parts.length === 1) {
    if (!imported) return { module: undefined, name: text };
    return imported.original === undefined ? { module: imported.module, name: imported.module } : { module: imported.module, name: imported.original };
  }
  const name = parts.at(-1) ?? text;
  const qualifier = parts.slice(1, -1);
  if (!imported) return { module: parts.slice(0, -1).join('.'), name };
  const base = imported.original === undefined ? imported.module : `${imported.module}.${imported.original}`;
  return { module: [base, ...qualifier].join('.'), name };
}

/** The statements of a class body, each unwrapped from its expression_statement. */
export function classBodyStatements(node: SyntaxNode): SyntaxNode[] {
  const body = node.childForFieldName('body');
  if (!body) return [];
  return body.namedChildren.map((statement) =>
    statement.type === 'expression_statement' && statement.namedChildCount === 1 ? (statement.namedChildren[0] ?? statement) : unwrapDecorated(statement),
  );
}

/** Methods defined directly in a class body, by name. */
export function classMethods(cls: ClassFacts): Map<string, SyntaxNode> {
  const methods = new Map<string, SyntaxNode>();
  for (const statement of classBodyStatements(cls.node)) {
    const name = statement.type === 'function_definition' ? statement.childForFieldName('name')?.text : undefined;
    if (name) methods.set(name, statement);
  }
  return methods;
}

/**
 * The project's Python files, parsed on demand and cached, so a model imported from `.types`
 * costs one parse and files nobody imports cost nothing.
 */
export class ProjectModules {
  private readonly cache = new Map<string, ModuleFacts | undefined>();
  private readonly trees: SyntaxTree[] = [];

  constructor(
    private readonly parser: Parser,
    private readonly readSource: (relativePath: string) => string | undefined,
  ) {}

  /** Parses `relativePath` (forward slashes), or undefined when the file does not exist. */
  load(relativePath: string): ModuleFacts | undefined {
    if (this.cache.has(relativePath)) return this.cache.get(relativePath);
    const source = this.readSource(relativePath);
    let facts: ModuleFacts | undefined;
    if (source !== undefined) {
      const tree = this.parser.parse(source);
      if (!tree) throw new Error(`tree-sitter returned no tree for ${relativePath}`);
      this.trees.push(tree);
      facts = collectModuleFacts(relativePath, tree);
    }
    this.cache.set(relativePath, facts);
    return facts;
  }

  /**
   * The project file a `from <module> import …` in `fromFile` refers to: relative imports from
   * the importing file's folder, absolute ones from the project root; `x.py` or `x/__init__.py`.
   * Installed packages are not in the project and give undefined.
   */
  importedModule(fromFile: string, module: string): ModuleFacts | undefined {
    const dots = /^\.*/.exec(module)?.[0].length ?? 0;
    const dotted = module.slice(dots);
    let base = '';
    if (dots > 0) {
      base = path.posix.dirname(fromFile);
      for (let level = 1; level < dots; level++) base = path.posix.dirname(base);
    }
    const relative = path.posix.join(base === '.' ? '' : base, ...dotted.split('.').filter(Boolean));
    if (relative === '' || relative.startsWith('..')) return undefined;
    return this.load(`${relative}.py`) ?? this.load(`${relative}/__init__.py`);
  }

  /** Parses a snippet (a forward reference's text); its tree is freed with the modules. */
  parseSnippet(source: string): SyntaxNode | undefined {
    const tree = this.parser.parse(source);
    if (!tree) return undefined;
    this.trees.push(tree);
    return tree.rootNode;
  }

  /** Frees the syntax trees (they live in WASM memory, not on the JS heap). */
  dispose(): void {
    for (const tree of this.trees) tree.delete();
    this.trees.length = 0;
    this.cache.clear();
  }
}
