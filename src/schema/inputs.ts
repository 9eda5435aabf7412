import { readAnnotation, type ExpressionParser } from './annotations.js';
import type { SyntaxNode } from './grammar.js';
import { checkInputConstraints } from './input-constraints.js';
import { resolveInputType } from './input-types.js';
import { describeLiteral, evaluateLiteral } from './literals.js';
import { PredictorSchemaError } from './located-error.js';
import { classBodyStatements, resolveName, type ModuleFacts, type ProjectModules } from './python-module.js';
import type { InputField, PyValue } from './types.js';

export interface InputsContext {
  module: ModuleFacts;
  modules: ProjectModules;
  parseExpression: ExpressionParser;
  /** run()/predict()/train(), or the function's name; for messages. */
  entryPoint: string;
  /** A method: its first parameter (self) is not an input. */
  isMethod: boolean;
  warn: (message: string) => void;
}

const inputKeywords = new Set(['default', 'description', 'ge', 'le', 'min_length', 'max_length', 'regex', 'choices', 'deprecated', 'accept', 'default_factory']);

/** The inputs of an entry point, in parameter order (that order is `x-order`). */
export function extractInputs(fn: SyntaxNode, context: InputsContext): InputField[] {
  const inputs: InputField[] = [];
  let skippedSelf = !context.isMethod;
  for (const parameter of fn.childForFieldName('parameters')?.namedChildren ?? []) {
    switch (parameter.type) {
      case 'identifier':
        if (!skippedSelf) {
          skippedSelf = true;
          continue;
        }
        throw missingAnnotation(parameter, parameter.text, context);
      case 'default_parameter':
        if (!skippedSelf) {
          skippedSelf = true;
          continue;
        }
        throw missingAnnotation(parameter, parameter.childForFieldName('name')?.text ?? parameter.text, context);
      case 'typed_parameter':
      case 'typed_default_parameter': {
        // `self: "Predictor"` is still self.
        if (!skippedSelf) {
          skippedSelf = true;
          continue;
        }
        const field = readParameter(parameter, inputs.length, context);
        if (field) inputs.push(field);
        break;
      }
      default:
        // `*`, `/`, `*args`, `**kwargs` and comments carry no input.
        break;
    }
  }
  return inputs;
}

function readParameter(parameter: SyntaxNode, order: number, context: InputsContext): InputField | undefined {
  const nameNode = parameter.type === 'typed_default_parameter' ? parameter.childForFieldName('name') : parameter.namedChildren[0];
  // `*args: str` is a typed_parameter around a list_splat_pattern: not an input.
  if (!nameNode || nameNode.type !== 'identifier') return undefined;
  const name = nameNode.text;
  const typeNode = parameter.childForFieldName('type');
  if (!typeNode) throw missingAnnotation(parameter, name, context);
  const annotation = readAnnotation(typeNode, context.parseExpression);
  const type = resolveInputType(annotation, { module: context.module, modules: context.modules, parameter: name });
  const field: InputField = { name, order, type, line: parameter.startPosition.row + 1 };
  const value = parameter.childForFieldName('value');
  if (value) readDefault(value, field, context);
  if (field.default?.kind === 'none' && !field.type.optional) treatAsOptional(field, typeNode.text, context);
  checkInputConstraints(field, context.module.file, context.warn);
  return field;
}

/**
 * `seed: int = Input(default=None)` without Optional: older Cog made such an input optional and
 * passed None when it was omitted, and public models rely on it; upstream's static schema makes it
 * required, so those models stop with "missing required input". It is written as Optional[int]
 * would be (nullable, default null, not required): the runtime then calls the predictor with None
 * (tried against cog 0.23). `Secret = Input(default=None)` is upstream's own idiom for the same, so
 * it gets no warning.
 */
function treatAsOptional(field: InputField, typeText: string, context: InputsContext): void {
  field.type = { ...field.type, optional: true };
  if (field.type.kind === 'primitive' && field.type.primitive === 'Secret' && !field.type.list) return;
  context.warn(
    `${context.module.file}:${field.line}: parameter "${field.name}" has default=None but its type ${typeText} is not Optional: it is made optional (None when omitted), as older Cog did, where upstream's static schema makes it required — write Optional[${typeText}] to say so`,
  );
}

/** `= 5`, `= Input(...)`, or `= Predictor.shared_input` (a class attribute holding an Input(...)). */
function readDefault(value: SyntaxNode, field: InputField, context: InputsContext): void {
  const input = inputCallOf(value, context.module);
  if (input) {
    readInputCall(input, field, context);
    return;
  }
  field.default = literalOrFail(value, field, context, 'default');
}

function inputCallOf(node: SyntaxNode, module: ModuleFacts): SyntaxNode | undefined {
  if (node.type === 'call') {
    const callee = node.childForFieldName('function');
    if (callee && (callee.type === 'identifier' || callee.type === 'attribute') && isCogInput(callee.text, module)) return node;
    return undefined;
  }
  if (node.type === 'attribute') {
    // Upstream resolves `ClassName.attr` to an `attr = Input(...)` in that class's body.
    const cls = module.classes.get(node.childForFieldName('object')?.text ?? '');
    const attribute = node.childForFieldName('attribute')?.text;
    for (const statement of cls ? classBodyStatements(cls.node) : []) {
      if (statement.type === 'assignment' && statement.childForFieldName('left')?.text === attribute) {
        const right = statement.childForFieldName('right');
        return right ? inputCallOf(right, module) : undefined;
      }
    }
  }
  return undefined;
}

function isCogInput(text: string, module: ModuleFacts): boolean {
  const resolved = resolveName(text, module.imports);
  return resolved.name === 'Input' && (resolved.module === 'cog' || resolved.module === undefined);
}

function readInputCall(call: SyntaxNode, field: InputField, context: InputsContext): void {
  const file = context.module.file;
  let positional = 0;
  for (const argument of call.childForFieldName('arguments')?.namedChildren ?? []) {
    if (argument.type === 'comment') continue;
    if (argument.type !== 'keyword_argument') {
      // Input(default=None, *, ...): the only positional parameter is the default. Upstream's
      // parser ignores it, but the runtime uses it, so the schema must too.
      if (positional++ > 0 || argument.type === 'list_splat' || argument.type === 'dictionary_splat') {
        throw new PredictorSchemaError({ file, line: lineOf(argument) }, `Input() for parameter "${field.name}" takes only one positional argument (the default) — pass the others by keyword`);
      }
      field.default = literalOrFail(argument, field, context, 'default');
      continue;
    }
    const keyword = argument.childForFieldName('name')?.text ?? '';
    const value = argument.childForFieldName('value');
    if (!value) continue;
    if (!inputKeywords.has(keyword)) {
      throw new PredictorSchemaError({ file, line: lineOf(argument) }, `Input() got an unexpected keyword argument "${keyword}" for parameter "${field.name}" — known ones: ${[...inputKeywords].filter((k) => k !== 'default_factory').join(', ')}`);
    }
    applyKeyword(keyword, value, field, context);
  }
}

function applyKeyword(keyword: string, value: SyntaxNode, field: InputField, context: InputsContext): void {
  const file = context.module.file;
  switch (keyword) {
    case 'default':
      field.default = literalOrFail(value, field, context, 'default');
      return;
    case 'default_factory':
      throw new PredictorSchemaError({ file, line: lineOf(value) }, `default_factory is not supported in Input() (parameter "${field.name}") — use a literal default value instead`);
    case 'description': {
      const description = optionalString(value, field, context, keyword);
      if (description !== undefined) field.description = description;
      return;
    }
    case 'regex':
      field.regex = requiredString(value, field, context, keyword);
      return;
    case 'accept':
      field.accept = requiredString(value, field, context, keyword);
      return;
    case 'ge':
    case 'le': {
      const number = expectKind(value, field, context, keyword, ['int', 'float'], 'a number');
      field[keyword] = number.kind === 'int' || number.kind === 'float' ? number.value : 0;
      return;
    }
    case 'min_length':
    case 'max_length': {
      const length = expectKind(value, field, context, keyword, ['int'], 'an integer');
      field[keyword === 'min_length' ? 'minLength' : 'maxLength'] = length.kind === 'int' ? length.value : 0;
      return;
    }
    case 'deprecated': {
      const flag = expectKind(value, field, context, keyword, ['bool', 'none'], 'True or False');
      if (flag.kind === 'bool') field.deprecated = flag.value;
      return;
    }
    case 'choices': {
      const choices = evaluateLiteral(value, context.module.constants);
      if (!choices || (choices.kind !== 'list' && choices.kind !== 'tuple')) {
        throw new PredictorSchemaError(
          { file, line: lineOf(value) },
          `choices for parameter "${field.name}" cannot be statically resolved — use a literal list (e.g. choices=["a", "b"]) or a module-level constant`,
        );
      }
      field.choices = choices.items;
      return;
    }
  }
}

function literalOrFail(node: SyntaxNode, field: InputField, context: InputsContext, what: string): PyValue {
  const value = evaluateLiteral(node, context.module.constants);
  if (value) return value;
  throw new PredictorSchemaError(
    { file: context.module.file, line: lineOf(node) },
    `${what} value for parameter "${field.name}" cannot be statically resolved: \`${node.text}\` — use a literal (string, number, bool, None, list) or a module-level constant`,
  );
}

function expectKind(node: SyntaxNode, field: InputField, context: InputsContext, keyword: string, kinds: PyValue['kind'][], expected: string): PyValue {
  const value = literalOrFail(node, field, context, keyword);
  if (kinds.includes(value.kind)) return value;
  throw new PredictorSchemaError({ file: context.module.file, line: lineOf(node) }, `${keyword}= for parameter "${field.name}" must be ${expected}, not ${describeLiteral(value)}`);
}

function requiredString(node: SyntaxNode, field: InputField, context: InputsContext, keyword: string): string {
  const value = expectKind(node, field, context, keyword, ['str'], 'a string');
  return value.kind === 'str' ? value.value : '';
}

/** A description that needs Python to compute (an f-string with fields) is dropped with a warning, not an error. */
function optionalString(node: SyntaxNode, field: InputField, context: InputsContext, keyword: string): string | undefined {
  const value = evaluateLiteral(node, context.module.constants);
  if (value?.kind === 'str') return value.value;
  if (value?.kind === 'none') return undefined;
  context.warn(`${context.module.file}:${lineOf(node)}: the ${keyword} of parameter "${field.name}" is not a literal string; it is left out of the schema`);
  return undefined;
}

function missingAnnotation(node: SyntaxNode, name: string, context: InputsContext): PredictorSchemaError {
  return new PredictorSchemaError(
    { file: context.module.file, line: lineOf(node) },
    `parameter "${name}" of ${context.entryPoint} has no type annotation — annotate it, e.g. ${name}: str`,
  );
}

function lineOf(node: SyntaxNode): number {
  return node.startPosition.row + 1;
}
