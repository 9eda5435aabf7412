import { cogYamlJsonSchema } from './json-schema.js';

type Schema = {
  $ref?: string;
  definitions?: Record<string, Schema>;
  type?: string | string[];
  description?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  required?: string[];
};

/**
 * docs/cog-yaml.md, generated from the JSON Schema (itself generated from the zod schema the
 * loader validates with), so the reference cannot drift from what is checked.
 */
export function renderCogYamlReference(): string {
  const schema = cogYamlJsonSchema() as Schema;
  const rows: string[] = [];
  definitions = schema.definitions ?? {};
  walk(schema, '', rows);
  return [
    '# cog.yaml reference',
    '',
    '<!-- Generated from the cog.yaml schema (src/config/schema.ts) by src/config/reference-doc.ts;',
    '     a unit test fails when this file is out of date: run `npx vitest run -u test/unit/config/reference-doc.test.ts`. -->',
    '',
    'Every key cogpack reads from `cog.yaml`. The rules between keys, every error message and its fix',
    'are in [cog-yaml-errors.md](cog-yaml-errors.md); how cogpack differs from upstream Cog is in',
    '[compat-deviations.md](compat-deviations.md). The JSON Schema itself, for editors, is',
    '`test/golden/cog-yaml.schema.json`.',
    '',
    '| key | type | required | description |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

let definitions: Record<string, Schema> = {};

function walk(schema: Schema, prefix: string, rows: string[]): void {
  const object = resolve(nonNull(schema));
  for (const [key, child] of Object.entries(object.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    const value = resolve(nonNull(child));
    const required = object.required?.includes(key) ? 'yes' : '';
    rows.push(`| \`${path}\` | ${typeName(child)} | ${required} | ${escape(child.description ?? value.description ?? '')} |`);
    // Nested mappings, directly, as list items, or as one alternative of several (`run` items).
    const alternatives = [value, ...(value.anyOf ?? [])].map(resolve);
    const nested = alternatives.find((a) => a.properties);
    const items = alternatives.map((a) => a.items && resolve(nonNull(a.items))).find(Boolean);
    const itemObject = items && [items, ...(items.anyOf ?? [])].map(resolve).find((a) => a.properties);
    if (nested) walk(nested, path, rows);
    else if (itemObject) walk(itemObject, `${path}[]`, rows);
  }
}

/** Follows a `#/definitions/…` reference. */
function resolve(schema: Schema): Schema {
  const name = schema.$ref?.replace('#/definitions/', '');
  return name && definitions[name] ? { ...definitions[name], description: schema.description ?? definitions[name].description } : schema;
}

/** The schema without its `null` alternative (optional keys may be written empty). */
function nonNull(schema: Schema): Schema {
  const options = schema.anyOf?.filter((s) => s.type !== 'null');
  if (options?.length === 1) return { ...options[0]!, description: schema.description ?? options[0]!.description };
  return schema;
}

function typeName(input: Schema): string {
  const schema = resolve(input);
  if (schema.anyOf) return [...new Set(schema.anyOf.filter((s) => s.type !== 'null').map(typeName))].join(' or ');
  if (schema.enum) return schema.enum.map((v) => `\`${JSON.stringify(v)}\``).join(', ');
  if (schema.const !== undefined) return `\`${JSON.stringify(schema.const)}\``;
  const types = (Array.isArray(schema.type) ? schema.type : [schema.type ?? 'any']).filter((t) => t !== 'null');
  return types
    .map((t) => (t === 'array' ? `list of ${schema.items ? typeName(nonNull(schema.items)) : 'any'}` : t === 'object' || t === 'any' && schema.properties ? 'mapping' : t))
    .join(' or ');
}

function escape(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
