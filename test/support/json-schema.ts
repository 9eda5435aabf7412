import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { repoRoot } from './paths.js';

const ajv = new Ajv({ allErrors: true, strict: false });

/**
 * Errors of `value` against a documented `--json` schema (docs/schemas/<name>.schema.json); an
 * empty list when it conforms. The schemas are the contract CI scripts rely on.
 */
export function jsonSchemaErrors(name: string, value: unknown): string[] {
  const schema = JSON.parse(readFileSync(path.join(repoRoot, 'docs', 'schemas', `${name}.schema.json`), 'utf8')) as { $id: string };
  const validate = ajv.getSchema(schema.$id) ?? ajv.compile(schema);
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
}
