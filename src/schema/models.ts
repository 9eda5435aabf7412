import { readAnnotation, type ExpressionParser } from './annotations.js';
import { classBodyStatements, resolveName, type ClassFacts, type ModuleFacts, type ProjectModules } from './python-module.js';
import type { Annotation } from './types.js';

/** A class and the module it is defined in (whose imports its annotations are read with). */
export interface ClassRef {
  module: ModuleFacts;
  cls: ClassFacts;
}

/** An annotated field of a BaseModel or TypedDict, in declaration order. */
export interface ModelField {
  name: string;
  annotation: Annotation;
  hasDefault: boolean;
  /** The module the field was declared in (inherited fields keep their parent's). */
  module: ModuleFacts;
}

export type ClassKind = 'model' | 'typeddict';

const baseModelModules = new Set(['cog', 'pydantic', 'pydantic.v1']);
const typingModules = new Set(['typing', 'typing_extensions']);
const maxImportHops = 8;

/**
 * Finds the class a name refers to, following `from .x import Y` (and re-exports in `__init__.py`)
 * into the project's files. Classes from installed packages are out of reach: undefined.
 */
export function lookupClass(modules: ProjectModules, module: ModuleFacts, nameText: string, hops = 0): ClassRef | undefined {
  if (hops > maxImportHops) return undefined;
  const [head = nameText, ...rest] = nameText.split('.');
  if (rest.length === 0) {
    const local = module.classes.get(head);
    if (local) return { module, cls: local };
  }
  const imported = module.imports.get(head);
  if (!imported) return undefined;
  if (rest.length === 0) {
    if (imported.original === undefined) return undefined;
    const target = modules.importedModule(module.file, imported.module);
    return target && lookupClass(modules, target, imported.original, hops + 1);
  }
  // `types.Output`, after `import types` or `from . import types`.
  const moduleName = imported.original === undefined ? imported.module : joinModule(imported.module, imported.original);
  const target = modules.importedModule(module.file, [moduleName, ...rest.slice(0, -1)].reduce(joinModule));
  return target && lookupClass(modules, target, rest.at(-1) ?? head, hops + 1);
}

function joinModule(left: string, right: string): string {
  return left.endsWith('.') ? `${left}${right}` : `${left}.${right}`;
}

/** Whether a class is a BaseModel (cog or pydantic) or a TypedDict, directly or through its bases. */
export function classKind(modules: ProjectModules, ref: ClassRef, seen = new Set<ClassFacts>()): ClassKind | undefined {
  if (seen.has(ref.cls)) return undefined;
  seen.add(ref.cls);
  for (const base of ref.cls.bases) {
    const resolved = resolveName(base, ref.module.imports);
    // Upstream accepts a bare `BaseModel` whatever its import; so do we.
    if (resolved.name === 'BaseModel' && (resolved.module === undefined || baseModelModules.has(resolved.module))) return 'model';
    if (resolved.name === 'TypedDict' && (resolved.module === undefined || typingModules.has(resolved.module))) return 'typeddict';
    const parent = lookupClass(modules, ref.module, base);
    const kind = parent && classKind(modules, parent, seen);
    if (kind) return kind;
  }
  return undefined;
}

/** The fields of a model: inherited ones first (dataclass order), a redefinition keeps its place. */
export function modelFields(modules: ProjectModules, ref: ClassRef, parseExpression: ExpressionParser, seen = new Set<ClassFacts>()): ModelField[] {
  if (seen.has(ref.cls)) return [];
  seen.add(ref.cls);
  const fields = new Map<string, ModelField>();
  for (const base of ref.cls.bases) {
    const parent = lookupClass(modules, ref.module, base);
    if (parent && classKind(modules, parent)) {
      for (const field of modelFields(modules, parent, parseExpression, seen)) fields.set(field.name, field);
    }
  }
  for (const statement of classBodyStatements(ref.cls.node)) {
    if (statement.type !== 'assignment') continue;
    const left = statement.childForFieldName('left');
    const typeNode = statement.childForFieldName('type');
    if (left?.type !== 'identifier' || !typeNode) continue;
    const annotation = readAnnotation(typeNode, parseExpression);
    if (isClassVar(annotation, ref.module)) continue;
    fields.set(left.text, { name: left.text, annotation, hasDefault: statement.childForFieldName('right') !== null, module: ref.module });
  }
  return [...fields.values()];
}

function isClassVar(annotation: Annotation, module: ModuleFacts): boolean {
  const name = annotation.kind === 'generic' || annotation.kind === 'name' ? annotation.name : undefined;
  return name !== undefined && resolveName(name, module.imports).name === 'ClassVar';
}
