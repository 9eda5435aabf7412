/**
 * Reading a model's OpenAPI document (predict.md §3) for what the CLI needs: the input component,
 * each input's accepted types, the output's shape and whether the model streams. The document
 * comes from the static generator, an image label, or the running container's `/openapi.json`.
 */

/** A JSON Schema node, loosely typed: documents come from images built by any Cog version. */
export type SchemaNode = Record<string, unknown>;

/** Which entry point is run: `/predictions` (run, predict) or `/trainings` (train). */
export type RunMode = 'predict' | 'train';

export type JsonType = 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object' | 'null';

export function isNode(value: unknown): value is SchemaNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses schema JSON text; undefined when it is not a JSON object (a broken label). */
export function parseSchemaDocument(text: string | undefined): SchemaNode | undefined {
  if (!text) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return isNode(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function components(document: SchemaNode): SchemaNode {
  const c = document.components;
  const schemas = isNode(c) ? c.schemas : undefined;
  return isNode(schemas) ? schemas : {};
}

/**
 * The component inputs are validated against: `TrainingInput` in train mode (falling back to
 * `Input`, as upstream), else `Input`. Undefined when the document has none with properties.
 */
export function inputComponent(document: SchemaNode, mode: RunMode): SchemaNode | undefined {
  const schemas = components(document);
  const candidates = mode === 'train' ? [schemas.TrainingInput, schemas.Input] : [schemas.Input];
  return candidates.find((c): c is SchemaNode => isNode(c) && isNode(c.properties));
}

/** Follows `$ref` (`#/components/schemas/X`) and a lone `allOf: [{$ref}]` (how choices are written). */
export function resolveNode(document: SchemaNode, node: SchemaNode, depth = 0): SchemaNode {
  if (depth > 16) return node;
  if (typeof node.$ref === 'string') {
    const name = /^#\/components\/schemas\/(.+)$/.exec(node.$ref)?.[1];
    const target = name === undefined ? undefined : components(document)[name];
    return isNode(target) ? resolveNode(document, target, depth + 1) : node;
  }
  if (Array.isArray(node.allOf) && node.allOf.length === 1 && isNode(node.allOf[0]) && node.type === undefined) {
    const { allOf: _allOf, ...rest } = node;
    return { ...resolveNode(document, node.allOf[0], depth + 1), ...rest };
  }
  return node;
}

/** Every JSON type a schema accepts, through `$ref`, `allOf` and `anyOf`; empty means "anything". */
export function acceptedTypes(document: SchemaNode, node: SchemaNode): Set<JsonType> {
  const resolved = resolveNode(document, node);
  const types = new Set<JsonType>();
  if (typeof resolved.type === 'string') types.add(resolved.type as JsonType);
  for (const key of ['anyOf', 'oneOf'] as const) {
    const members = resolved[key];
    if (Array.isArray(members)) for (const m of members) if (isNode(m)) for (const t of acceptedTypes(document, m)) types.add(t);
  }
  if (types.size === 0 && typeof resolved.enum === 'object' && Array.isArray(resolved.enum)) {
    for (const value of resolved.enum) types.add(jsonTypeOf(value));
  }
  return types;
}

/** The item schema of an array schema (also through `anyOf` members that are arrays). */
export function itemSchema(document: SchemaNode, node: SchemaNode): SchemaNode | undefined {
  const resolved = resolveNode(document, node);
  if (isNode(resolved.items)) return resolved.items;
  const members = resolved.anyOf;
  if (Array.isArray(members)) {
    for (const m of members) if (isNode(m)) {
      const items = itemSchema(document, m);
      if (items) return items;
    }
  }
  return undefined;
}

export function jsonTypeOf(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'object') return 'object';
  return typeof value as JsonType;
}

/** A URI schema: `type: string, format: uri` (cog.Path and cog.File). */
export function isUriSchema(node: SchemaNode | undefined): boolean {
  return node !== undefined && node.type === 'string' && node.format === 'uri';
}

function endpoint(mode: RunMode): string {
  return mode === 'train' ? '/trainings' : '/predictions';
}

/**
 * The output schema: `paths[/predictions].post` → 200 → `application/json` → `output`, as upstream
 * reads it, with `$ref`s followed; else the `Output`/`TrainingOutput` component.
 */
export function outputSchema(document: SchemaNode, mode: RunMode): SchemaNode | undefined {
  const paths = document.paths;
  const post = isNode(paths) && isNode(paths[endpoint(mode)]) ? (paths[endpoint(mode)] as SchemaNode).post : undefined;
  const responses = isNode(post) ? post.responses : undefined;
  const ok = isNode(responses) ? responses['200'] : undefined;
  const content = isNode(ok) && isNode(ok.content) ? ok.content['application/json'] : undefined;
  if (isNode(content) && isNode(content.schema)) {
    const response = resolveNode(document, content.schema);
    const output = isNode(response.properties) ? response.properties.output : undefined;
    if (isNode(output)) return resolveNode(document, output);
  }
  const component = components(document)[mode === 'train' ? 'TrainingOutput' : 'Output'];
  return isNode(component) ? resolveNode(document, component) : undefined;
}

/** Whether the model opted into server-sent events (`@cog.streaming` → `x-cog-streaming`). Never for trainings. */
export function supportsStreaming(document: SchemaNode, mode: RunMode): boolean {
  if (mode === 'train') return false;
  const paths = document.paths;
  const item = isNode(paths) ? paths[endpoint(mode)] : undefined;
  const post = isNode(item) ? item.post : undefined;
  return isNode(post) && post['x-cog-streaming'] === true;
}

/** What the output is, for printing and for writing files. */
export type OutputKind =
  | { kind: 'file' }
  | { kind: 'files'; iterator: boolean }
  | { kind: 'string' }
  | { kind: 'iterator'; concatenate: boolean; itemIsString: boolean }
  | { kind: 'json' };

export function classifyOutput(document: SchemaNode, node: SchemaNode | undefined): OutputKind {
  if (!node) return { kind: 'json' };
  if (isUriSchema(node)) return { kind: 'file' };
  if (node.type === 'array') {
    const items = isNode(node.items) ? resolveNode(document, node.items) : undefined;
    const iterator = node['x-cog-array-type'] === 'iterator';
    if (isUriSchema(items)) return { kind: 'files', iterator };
    if (iterator) return { kind: 'iterator', concatenate: node['x-cog-array-display'] === 'concatenate', itemIsString: items?.type === 'string' };
    return { kind: 'json' };
  }
  if (node.type === 'string') return { kind: 'string' };
  return { kind: 'json' };
}
