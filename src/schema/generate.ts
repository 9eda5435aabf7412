import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Parser } from 'web-tree-sitter';
import { readAnnotation, type ExpressionParser } from './annotations.js';
import { buildDocument, mergeDocuments, renderSchemaJson } from './document.js';
import { findSyntaxError, loadPythonParser, type SyntaxNode } from './grammar.js';
import { extractInputs } from './inputs.js';
import { PredictorSchemaError } from './located-error.js';
import { isIteratorOutput, resolveOutputType } from './output-types.js';
import { classMethods, ProjectModules, resolveName, type ModuleFacts } from './python-module.js';
import type { OpenApiDocument, PredictorSignature, SchemaMode } from './types.js';

export interface GenerateSchemaOptions {
  /** Absolute path of the project directory (where cog.yaml is); predictor paths are relative to it. */
  projectDir: string;
  /** cog.yaml `run`/`predict`: `file.py:ClassOrFunction`. At least one of predict and train is required. */
  predict?: string | undefined;
  /** cog.yaml `train`: `file.py:ClassOrFunction`. */
  train?: string | undefined;
  /** Reads a file by absolute path. Default: `fs.readFileSync(path, 'utf8')`; an ENOENT error means "absent". */
  readFile?: (path: string) => string;
  /** Receives warnings (a deprecated predict(), a description that is not a literal). Default: dropped. */
  onWarning?: (message: string) => void;
}

/**
 * The OpenAPI document of a model, read statically from its Python source (predict.md §3): no
 * Python runs. With both predict and train, the two documents are merged as upstream does.
 */
export async function generateSchema(options: GenerateSchemaOptions): Promise<OpenApiDocument> {
  return (await generateSchemaJson(options)).document;
}

/** The document and its JSON text byte for byte as upstream writes it (label and `.cog/openapi_schema.json`). */
export async function generateSchemaJson(options: GenerateSchemaOptions): Promise<{ document: OpenApiDocument; json: string }> {
  if (!options.predict && !options.train) {
    throw new PredictorSchemaError({ file: 'cog.yaml' }, 'no predictor to describe — set run: "predict.py:Predictor" in cog.yaml');
  }
  const parser = await loadPythonParser();
  const modules = new ProjectModules(parser, sourceReader(options));
  try {
    const describe = (reference: string, mode: SchemaMode) => buildDocument(readSignature(reference, mode, { parser, modules, options }));
    const predict = options.predict ? describe(options.predict, 'predict') : undefined;
    const train = options.train ? describe(options.train, 'train') : undefined;
    if (predict && train) {
      const document = mergeDocuments(predict, train);
      return { document, json: renderSchemaJson(document, { indent: true }) };
    }
    const document = (predict ?? train)!;
    return { document, json: renderSchemaJson(document) };
  } finally {
    modules.dispose();
  }
}

interface ReadContext {
  parser: Parser;
  modules: ProjectModules;
  options: GenerateSchemaOptions;
}

function sourceReader(options: GenerateSchemaOptions): (relativePath: string) => string | undefined {
  const read = options.readFile ?? ((file: string) => readFileSync(file, 'utf8'));
  return (relativePath) => {
    try {
      return read(path.join(options.projectDir, relativePath));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return undefined;
      throw error;
    }
  };
}

function readSignature(reference: string, mode: SchemaMode, context: ReadContext): PredictorSignature {
  const { file, name } = splitReference(reference, mode);
  const module = context.modules.load(file);
  if (!module) throw missingFile(file, reference, mode, context.options.projectDir);
  const parseExpression = expressionParser(context);
  const warn = context.options.onWarning ?? (() => {});
  const entry = findEntryPoint(module, name, mode, warn);
  const syntaxError = findSyntaxError(entry.node);
  if (syntaxError) throw pythonSyntaxError(module.file, syntaxError);
  const outsideError = findSyntaxError(module.root);
  if (outsideError) warn(`${module.file}:${outsideError.startPosition.row + 1}: this looks like a Python syntax error; the model will fail to load if it is one`);

  const inputs = extractInputs(entry.node, { module, modules: context.modules, parseExpression, entryPoint: entry.label, isMethod: entry.isMethod, warn });
  const returnType = entry.node.childForFieldName('return_type');
  if (!returnType) {
    throw new PredictorSchemaError({ file: module.file, line: lineOf(entry.node) }, `${entry.label} has no return type annotation — add one, e.g. "-> str" or "-> Path"`);
  }
  const output = resolveOutputType(readAnnotation(returnType, parseExpression), module, { modules: context.modules, parseExpression });
  const streaming = hasStreamingDecorator(entry.node, module);
  if (streaming && !isIteratorOutput(output)) {
    throw new PredictorSchemaError({ file: module.file, line: lineOf(returnType) }, `@cog.streaming needs ${entry.label} to return an Iterator or ConcatenateIterator, not ${returnType.text}`);
  }
  return { mode, inputs, output, streaming };
}

function splitReference(reference: string, mode: SchemaMode): { file: string; name: string } {
  const colon = reference.lastIndexOf(':');
  const file = colon > 0 ? reference.slice(0, colon).trim() : '';
  const name = colon > 0 ? reference.slice(colon + 1).trim() : '';
  if (!file || !name || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    const key = mode === 'train' ? 'train' : 'run';
    throw new PredictorSchemaError(
      { file: 'cog.yaml' },
      `${key}: invalid predictor reference "${reference}" — expected file.py:ClassName or file.py:function_name, e.g. "predict.py:Predictor"`,
    );
  }
  return { file: path.posix.normalize(file.replaceAll('\\', '/')).replace(/^\.\//, ''), name };
}

/** Parses the text of a forward reference; its tree is kept until the modules are disposed. */
function expressionParser(context: ReadContext): ExpressionParser {
  return (text) => {
    const statement = context.modules.parseSnippet(text)?.namedChildren[0];
    const expression = statement?.type === 'expression_statement' ? statement.namedChildren[0] : undefined;
    return expression && !expression.hasError ? expression : undefined;
  };
}

interface EntryPoint {
  node: SyntaxNode;
  isMethod: boolean;
  /** `Predictor.run()` or `predict()`, for messages. */
  label: string;
}

/** The class's run()/predict() (train() for training), or a module-level function (predict.md §3.2 step 7). */
function findEntryPoint(module: ModuleFacts, name: string, mode: SchemaMode, warn: (message: string) => void): EntryPoint {
  const cls = module.classes.get(name);
  if (cls) {
    const methods = inheritedMethods(module, name);
    if (mode === 'train') {
      const train = methods.get('train');
      if (train) return { node: train, isMethod: true, label: `${name}.train()` };
      throw noMethod(module, cls.node, name, 'train()', methods);
    }
    const run = methods.get('run');
    const predict = methods.get('predict');
    if (run && predict) {
      throw new PredictorSchemaError({ file: module.file, line: lineOf(predict) }, `${name} must define either run() or predict(), not both — keep run() and remove predict()`);
    }
    if (run) return { node: run, isMethod: true, label: `${name}.run()` };
    if (predict) {
      warn(`${module.file}:${lineOf(predict)}: ${name}.predict() is deprecated — rename it to run() (and BasePredictor to BaseRunner)`);
      return { node: predict, isMethod: true, label: `${name}.predict()` };
    }
    throw noMethod(module, cls.node, name, 'run() or predict()', methods);
  }
  const fn = module.functions.get(name);
  if (fn) return { node: fn, isMethod: false, label: `${name}()` };
  const syntaxError = findSyntaxError(module.root);
  if (syntaxError) throw pythonSyntaxError(module.file, syntaxError);
  const classes = [...module.classes.keys()];
  const functions = [...module.functions.keys()];
  const found = classes.length + functions.length === 0 ? 'it defines no classes or functions' : `found ${[...classes.map((c) => `class ${c}`), ...functions.map((f) => `function ${f}()`)].join(', ')}`;
  throw new PredictorSchemaError({ file: module.file }, `no class or function named "${name}" at module level — ${found}`);
}

/** Methods of a class and of its bases defined in the same file (a subclass's own win). */
function inheritedMethods(module: ModuleFacts, name: string, seen = new Set<string>()): Map<string, SyntaxNode> {
  const cls = module.classes.get(name);
  if (!cls || seen.has(name)) return new Map();
  seen.add(name);
  const methods = new Map<string, SyntaxNode>();
  for (const base of [...cls.bases].reverse()) {
    for (const [method, node] of inheritedMethods(module, base, seen)) methods.set(method, node);
  }
  for (const [method, node] of classMethods(cls)) methods.set(method, node);
  return methods;
}

function noMethod(module: ModuleFacts, node: SyntaxNode, name: string, wanted: string, methods: Map<string, SyntaxNode>): PredictorSchemaError {
  const found = methods.size > 0 ? `found ${[...methods.keys()].map((m) => `${m}()`).join(', ')}` : 'it has no methods';
  return new PredictorSchemaError({ file: module.file, line: lineOf(node) }, `class ${name} has no ${wanted} method — ${found}`);
}

function hasStreamingDecorator(fn: SyntaxNode, module: ModuleFacts): boolean {
  const decorated = fn.parent?.type === 'decorated_definition' ? fn.parent : undefined;
  return (decorated?.namedChildren ?? []).some((decorator) => {
    if (decorator.type !== 'decorator') return false;
    const text = decorator.text.replace(/^@\s*/, '').replace(/\(\s*\)$/, '').replaceAll(/\s/g, '');
    const resolved = resolveName(text, module.imports);
    return resolved.name === 'streaming' && (resolved.module === 'cog' || resolved.module === undefined);
  });
}

function missingFile(file: string, reference: string, mode: SchemaMode, projectDir: string): PredictorSchemaError {
  let found = '';
  try {
    const python = readdirSync(projectDir).filter((entry) => entry.endsWith('.py'));
    found = python.length > 0 ? ` — found ${python.join(', ')}` : ' — the directory has no .py files';
  } catch {
    // The listing only improves the message.
  }
  const key = mode === 'train' ? 'train' : 'run';
  return new PredictorSchemaError({ file: 'cog.yaml' }, `${key}: "${reference}": ${file} does not exist in ${projectDir}${found}`);
}

function pythonSyntaxError(file: string, node: SyntaxNode): PredictorSchemaError {
  const snippet = node.text.split('\n')[0]?.slice(0, 40) ?? '';
  const what = node.isMissing ? `missing "${node.type}"` : snippet ? `invalid syntax near \`${snippet}\`` : 'invalid syntax';
  return new PredictorSchemaError({ file, line: lineOf(node) }, `Python syntax error: ${what} — fix the code so that Python can import it`);
}

function lineOf(node: SyntaxNode): number {
  return node.startPosition.row + 1;
}
