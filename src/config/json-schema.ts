import { z } from 'zod';
import { configFileSchema, numberAllowed } from './schema.js';

/**
 * The JSON Schema of cog.yaml (draft-07, like upstream's), generated from the zod schema so the
 * two never drift. Editors use it for completion and checks; it describes YAML values, so a
 * boolean field is `boolean` even though the loader also reads `yes`/`no`.
 */
export function cogYamlJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(configFileSchema, {
    target: 'draft-07',
    io: 'output',
    override: (context) => {
      const schema = context.jsonSchema;
      // Versions are often written unquoted (`python_version: 3.12`); the loader reads their text.
      if (numberAllowed.has(context.zodSchema)) schema.type = ['string', 'number'];
      // zod bounds every integer to JavaScript's safe range: noise for a YAML reader.
      if (schema.type === 'integer' && schema.minimum === Number.MIN_SAFE_INTEGER) delete schema.minimum;
      if (schema.type === 'integer' && schema.maximum === Number.MAX_SAFE_INTEGER) delete schema.maximum;
    },
  }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    title: 'Schema for cog.yaml',
    ...rest,
    // Upstream's rule, which a zod object cannot state: run and its old name predict are exclusive.
    not: { required: ['run', 'predict'] },
  };
}
