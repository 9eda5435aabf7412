import { describe, expect, it } from 'vitest';
import { cogYamlJsonSchema } from '../../../src/config/json-schema.js';

describe('the JSON Schema of cog.yaml', () => {
  it('is generated from the zod schema and kept under a snapshot', async () => {
    await expect(`${JSON.stringify(cogYamlJsonSchema(), null, 2)}\n`).toMatchFileSnapshot('../../golden/cog-yaml.schema.json');
  });

  it('keeps what editors rely on from upstream’s schema', () => {
    const schema = cogYamlJsonSchema() as {
      $schema: string;
      not: unknown;
      additionalProperties: boolean;
      properties: Record<string, { anyOf?: Array<Record<string, unknown>>; properties?: Record<string, { type?: unknown }> }>;
    };
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.not).toEqual({ required: ['run', 'predict'] });
    expect(schema.additionalProperties).toBe(false);
    const build = schema.properties.build?.anyOf?.find((branch) => branch.type === 'object') as
      | { required: string[]; properties: Record<string, { type?: unknown }> }
      | undefined;
    expect(build?.required).toEqual(['python_version']);
    expect(build?.properties.python_version?.type).toEqual(['string', 'number']);
    expect(Object.keys(schema.properties).sort()).toEqual(
      ['build', 'concurrency', 'environment', 'image', 'model', 'predict', 'run', 'train', 'weights'].sort(),
    );
  });
});
