import { PredictorSchemaError } from './located-error.js';
import { classKind, lookupClass } from './models.js';
import { resolveName, type ModuleFacts, type ProjectModules } from './python-module.js';
import type { Annotation, InputType, Primitive } from './types.js';

const primitiveNames: ReadonlySet<string> = new Set<Primitive>(['bool', 'float', 'int', 'str', 'Path', 'File', 'Secret', 'Any']);
/** Where each input type may be imported from; written bare, a name is the builtin or cog's. */
const primitiveHomes: Record<string, ReadonlySet<string>> = {
  bool: new Set(['builtins']),
  float: new Set(['builtins']),
  int: new Set(['builtins']),
  str: new Set(['builtins']),
  dict: new Set(['builtins']),
  Dict: new Set(['typing', 'typing_extensions']),
  Any: new Set(['typing', 'typing_extensions']),
  // The runtime takes pathlib's Path as a file input too (cog.Path subclasses it).
  Path: new Set(['cog', 'cog.types', 'pathlib']),
  File: new Set(['cog', 'cog.types']),
  Secret: new Set(['cog', 'cog.types']),
};
const supportedInputs = 'use str, int, float, bool, Path, Secret, dict, a list of one of them, or Optional[...] of any of these';

export interface InputTypeContext {
  module: ModuleFacts;
  modules: ProjectModules;
  parameter: string;
}

type Scalar = { primitive: Primitive; list: boolean };

/**
 * The input type an annotation stands for (predict.md §3.3): a primitive, a list of one, either
 * optional, or a union of JSON-native types. Anything else is refused at its line.
 */
export function resolveInputType(annotation: Annotation, context: InputTypeContext): InputType {
  if (annotation.kind === 'union' || isGeneric(annotation, context, 'Union')) {
    const members = annotation.kind === 'union' ? annotation.members : (annotation as { args: Annotation[] }).args;
    return resolveUnion(annotation, members, context);
  }
  if (isGeneric(annotation, context, 'Optional')) {
    const args = (annotation as { args: Annotation[] }).args;
    if (args.length !== 1) throw unsupported(annotation, context, 'Optional takes exactly one type');
    return { ...resolveScalar(args[0]!, context), kind: 'primitive', optional: true };
  }
  return { ...resolveScalar(annotation, context), kind: 'primitive', optional: false };
}

function resolveUnion(annotation: Annotation, members: Annotation[], context: InputTypeContext): InputType {
  const present = members.filter((member) => member.kind !== 'none' && !(member.kind === 'name' && member.name === 'None'));
  const optional = present.length < members.length;
  if (present.length === 1) return { ...resolveScalar(present[0]!, context), kind: 'primitive', optional };
  if (present.length === 0) throw unsupported(annotation, context);
  const resolved = present.map((member) => {
    const scalar = resolveScalar(member, context);
    // The runtime refuses these as union members: they need decoding it can only do for one type.
    if (scalar.primitive === 'Path' || scalar.primitive === 'File' || scalar.primitive === 'Secret') {
      throw unsupported(member, context, `${scalar.primitive} cannot be part of a union — give it its own parameter`);
    }
    return scalar;
  });
  return { kind: 'union', members: resolved, optional };
}

/** A primitive or a list of one; Optional and unions are handled by the caller. */
function resolveScalar(annotation: Annotation, context: InputTypeContext): Scalar {
  switch (annotation.kind) {
    case 'name':
      return { primitive: resolvePrimitiveName(annotation, annotation.name, context), list: false };
    case 'generic': {
      const name = resolveName(annotation.name, context.module.imports).name;
      if (name === 'dict' || name === 'Dict') return { primitive: 'Any', list: false };
      if (name === 'Annotated') return resolveAnnotated(annotation, annotation.args, context);
      if (name === 'list' || name === 'List') {
        const [item, ...extra] = annotation.args;
        if (!item || extra.length > 0) throw unsupported(annotation, context, 'list takes exactly one type');
        const inner = resolveInputType(item, context);
        if (inner.kind !== 'primitive' || inner.list || inner.optional) {
          throw unsupported(annotation, context, 'nested types such as list[Optional[X]] or list[list[X]] are not supported');
        }
        return { primitive: inner.primitive, list: true };
      }
      if (name === 'Literal') {
        throw unsupported(annotation, context, 'Literal[...] is not a supported input type; use str = Input(choices=[...]) instead');
      }
      throw unsupported(annotation, context, `${name}[...] is not a supported input type`);
    }
    case 'union':
      throw unsupported(annotation, context, 'a union cannot be nested inside another type');
    case 'none':
    case 'other':
      throw unsupported(annotation, context);
  }
}

function resolvePrimitiveName(annotation: Annotation, nameText: string, context: InputTypeContext): Primitive {
  const cls = lookupClass(context.modules, context.module, nameText);
  if (cls) {
    const kind = classKind(context.modules, cls);
    if (kind === 'typeddict') return 'Any';
    if (kind === 'model') throw unsupported(annotation, context, 'a BaseModel can be an output, not an input; take its fields as separate inputs or a dict');
  }
  const { name, module } = resolveName(nameText, context.module.imports);
  if ((name === 'dict' || name === 'Dict' || primitiveNames.has(name)) && module !== undefined && !primitiveHomes[name]?.has(module)) {
    // `from mylib import Secret`: the runtime would load mylib's class, which nothing here can read.
    throw unsupported(annotation, context, `${name} is imported from ${module}, so it cannot be resolved statically; import it from ${[...(primitiveHomes[name] ?? [])][0] ?? 'cog'}`);
  }
  if (name === 'dict' || name === 'Dict') return 'Any';
  if (primitiveNames.has(name)) return name as Primitive;
  if (name === 'list' || name === 'List') throw unsupported(annotation, context, 'a list needs its item type, e.g. list[str]');
  throw unsupported(annotation, context);
}

/** `Annotated[T, cog.Opaque]` is an opaque JSON value; any other metadata is ignored (as the runtime does). */
function resolveAnnotated(annotation: Annotation, args: Annotation[], context: InputTypeContext): Scalar {
  const [inner, ...metadata] = args;
  if (!inner) throw unsupported(annotation, context, 'Annotated needs a type');
  const opaque = metadata.some((item) => item.kind === 'name' && isCogName(item.name, 'Opaque', context));
  if (!opaque) {
    const resolved = resolveInputType(inner, context);
    if (resolved.kind !== 'primitive' || resolved.optional) throw unsupported(annotation, context, 'put Optional outside Annotated[...]');
    return { primitive: resolved.primitive, list: resolved.list };
  }
  const shape = inner.kind === 'generic' || inner.kind === 'name' ? resolveName(inner.name, context.module.imports).name : undefined;
  return { primitive: 'Any', list: shape === 'list' || shape === 'List' };
}

function isGeneric(annotation: Annotation, context: InputTypeContext, name: string): boolean {
  return annotation.kind === 'generic' && resolveName(annotation.name, context.module.imports).name === name;
}

function isCogName(nameText: string, name: string, context: InputTypeContext): boolean {
  const resolved = resolveName(nameText, context.module.imports);
  return resolved.name === name && (resolved.module === 'cog' || resolved.module === undefined);
}

function unsupported(annotation: Annotation, context: InputTypeContext, detail?: string): PredictorSchemaError {
  const why = detail ?? supportedInputs;
  return new PredictorSchemaError(
    { file: context.module.file, line: annotation.line },
    `unsupported input type "${annotation.text}" for parameter "${context.parameter}" — ${why}`,
  );
}
