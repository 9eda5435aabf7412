import type { ExpressionParser } from './annotations.js';
import { PredictorSchemaError } from './located-error.js';
import { classKind, lookupClass, modelFields, type ClassRef } from './models.js';
import { resolveName, type ModuleFacts, type ProjectModules } from './python-module.js';
import type { Annotation, OutputField, OutputType, Primitive } from './types.js';

const primitiveNames: ReadonlySet<string> = new Set<Primitive>(['bool', 'float', 'int', 'str', 'Path', 'File', 'Secret']);

export interface OutputContext {
  modules: ProjectModules;
  parseExpression: ExpressionParser;
  /** The models being expanded: a model that contains itself degrades to {"type":"object"}, as upstream. */
  expanding?: ReadonlySet<string>;
}

/** The output type of a return annotation (predict.md §3.4). Optional and unions are refused. */
export function resolveOutputType(annotation: Annotation, module: ModuleFacts, context: OutputContext): OutputType {
  const fail = (message: string) => new PredictorSchemaError({ file: module.file, line: annotation.line }, message);
  switch (annotation.kind) {
    case 'name':
      return resolveOutputName(annotation, annotation.name, module, context);
    case 'union':
      if (annotation.members.some(isNone)) throw fail(`unsupported output type "${annotation.text}": Optional is not allowed as a return type — return a value every time, or a BaseModel with optional fields`);
      throw fail(`unsupported output type "${annotation.text}": union types are not supported as output — return one type`);
    case 'none':
      throw fail('the return type is None — annotate the type the model returns, e.g. -> str');
    case 'other':
      throw fail(`unsupported output type "${annotation.text}"`);
    case 'generic':
      return resolveOutputGeneric(annotation, annotation.args, module, context);
  }
}

function resolveOutputGeneric(annotation: Annotation & { kind: 'generic' }, args: Annotation[], module: ModuleFacts, context: OutputContext): OutputType {
  const fail = (message: string) => new PredictorSchemaError({ file: module.file, line: annotation.line }, message);
  const name = resolveName(annotation.name, module.imports).name;
  const single = (what: string): Annotation => {
    if (args.length !== 1 || !args[0]) throw fail(`${what} takes exactly one type argument: "${annotation.text}"`);
    return args[0];
  };
  switch (name) {
    case 'Annotated': {
      const [inner, ...metadata] = args;
      if (!inner) throw fail(`Annotated needs a type: "${annotation.text}"`);
      if (!metadata.some((item) => item.kind === 'name' && resolveName(item.name, module.imports).name === 'Opaque')) return resolveOutputType(inner, module, context);
      if (isOptional(inner, module)) throw fail(`unsupported output type "${annotation.text}": Optional is not allowed as a return type`);
      const shape = inner.kind === 'name' || inner.kind === 'generic' ? resolveName(inner.name, module.imports).name : '';
      return shape === 'list' || shape === 'List' ? { kind: 'array', items: { kind: 'any' } } : { kind: 'any' };
    }
    case 'dict':
    case 'Dict':
      if (args.length === 0) return { kind: 'any' };
      if (args.length !== 2 || !args[1]) throw fail(`dict takes a key and a value type: "${annotation.text}"`);
      return { kind: 'dict', values: resolveOutputType(args[1], module, context) };
    case 'Optional':
      throw fail(`unsupported output type "${annotation.text}": Optional is not allowed as a return type — return a value every time, or a BaseModel with optional fields`);
    case 'Union':
      if (args.some(isNone)) throw fail(`unsupported output type "${annotation.text}": Optional is not allowed as a return type`);
      throw fail(`unsupported output type "${annotation.text}": union types are not supported as output — return one type`);
    case 'list':
    case 'List':
      return { kind: 'array', items: resolveOutputType(single('list'), module, context) };
    case 'Iterator':
    case 'AsyncIterator':
      return { kind: 'iterator', items: resolveOutputType(single(name), module, context), concatenate: false };
    case 'ConcatenateIterator':
    case 'AsyncConcatenateIterator': {
      const item = single(name);
      const itemName = item.kind === 'name' ? resolveName(item.name, module.imports).name : item.text;
      if (itemName !== 'str') throw fail(`${name} element type must be str, got ${item.text} — use Iterator[${item.text}] for other types`);
      return { kind: 'iterator', items: { kind: 'primitive', primitive: 'str' }, concatenate: true };
    }
    default:
      throw fail(`unsupported output type "${annotation.text}": ${name}[...] is not a supported output type`);
  }
}

function resolveOutputName(annotation: Annotation, nameText: string, module: ModuleFacts, context: OutputContext): OutputType {
  const ref = lookupClass(context.modules, module, nameText);
  if (ref && classKind(context.modules, ref)) return resolveModel(ref, context);
  const resolved = resolveName(nameText, module.imports);
  if (resolved.name === 'Any' || resolved.name === 'dict' || resolved.name === 'Dict') return { kind: 'any' };
  if (resolved.name === 'list' || resolved.name === 'List') return { kind: 'array', items: { kind: 'any' } };
  if (primitiveNames.has(resolved.name)) return { kind: 'primitive', primitive: resolved.name as Primitive };
  const where = { file: module.file, line: annotation.line };
  if (resolved.module !== undefined && resolved.module !== 'cog') {
    throw new PredictorSchemaError(
      where,
      `cannot resolve output type "${resolved.name}" (imported from "${resolved.module}") — external types cannot be statically analyzed; define it as a BaseModel subclass in your project, or use Annotated[${resolved.name}, cog.Opaque]`,
    );
  }
  throw new PredictorSchemaError(
    where,
    `cannot resolve output type "${nameText}" — it is not a primitive type (str, int, float, bool, Path) and no BaseModel definition was found for it`,
  );
}

function resolveModel(ref: ClassRef, context: OutputContext): OutputType {
  const key = `${ref.module.file}:${ref.cls.name}`;
  if (context.expanding?.has(key)) return { kind: 'any' };
  const inner: OutputContext = { ...context, expanding: new Set([...(context.expanding ?? []), key]) };
  const typedDict = classKind(context.modules, ref) === 'typeddict';
  const fields: OutputField[] = modelFields(context.modules, ref, context.parseExpression).map((field) => {
    let annotation = field.annotation;
    let required = !field.hasDefault && !(typedDict && ref.cls.totalFalse);
    // TypedDict's Required[...] / NotRequired[...] override `total`.
    const qualifier = annotation.kind === 'generic' ? resolveName(annotation.name, field.module.imports).name : undefined;
    if (typedDict && annotation.kind === 'generic' && (qualifier === 'Required' || qualifier === 'NotRequired') && annotation.args[0]) {
      required = qualifier === 'Required';
      annotation = annotation.args[0];
    }
    const optionalInner = unwrapOptional(annotation, field.module);
    if (optionalInner) {
      return { name: field.name, type: resolveOutputType(optionalInner, field.module, inner), nullable: true, required: false };
    }
    return { name: field.name, type: resolveOutputType(annotation, field.module, inner), nullable: false, required };
  });
  return { kind: 'object', fields };
}

/** `Optional[T]`, `Union[T, None]`, `T | None` (in any order) → T. */
function unwrapOptional(annotation: Annotation, module: ModuleFacts): Annotation | undefined {
  if (annotation.kind === 'generic') {
    const name = resolveName(annotation.name, module.imports).name;
    if (name === 'Optional' && annotation.args.length === 1) return annotation.args[0];
    if (name === 'Annotated' && annotation.args[0]) {
      const inner = unwrapOptional(annotation.args[0], module);
      return inner && { ...annotation, args: [inner, ...annotation.args.slice(1)] };
    }
    if (name !== 'Union') return undefined;
    return pickNonNone(annotation.args);
  }
  return annotation.kind === 'union' ? pickNonNone(annotation.members) : undefined;
}

function pickNonNone(members: Annotation[]): Annotation | undefined {
  const rest = members.filter((member) => !isNone(member));
  return members.length === 2 && rest.length === 1 ? rest[0] : undefined;
}

function isOptional(annotation: Annotation, module: ModuleFacts): boolean {
  return unwrapOptional(annotation, module) !== undefined;
}

function isNone(annotation: Annotation): boolean {
  return annotation.kind === 'none' || (annotation.kind === 'name' && annotation.name === 'None');
}

/** Whether the output streams (an Iterator or ConcatenateIterator), which `@cog.streaming` requires. */
export function isIteratorOutput(output: OutputType): boolean {
  return output.kind === 'iterator';
}
