import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fixture, repoRoot } from '../../support/paths.js';
import type { SchemaNode } from '../../../src/predict/schema.js';

/** many-inputs' golden schema label: every input type and constraint the static generator writes. */
export function manyInputsSchema(): SchemaNode {
  return JSON.parse(readFileSync(path.join(repoRoot, 'test/golden/schema-label/many-inputs.json'), 'utf8')) as SchemaNode;
}

/** The schema of a fixture's predictor, from the static generator (no Python runs). */
export async function fixtureSchema(name: string): Promise<SchemaNode> {
  const { generateSchemaJson } = await import('../../../src/schema/index.js');
  const { loadConfig } = await import('../../../src/config/load.js');
  const { config } = loadConfig({ file: path.join(fixture(name), 'cog.yaml') });
  const { json } = await generateSchemaJson({ projectDir: config.projectDir, predict: config.predict, train: config.train });
  return JSON.parse(json) as SchemaNode;
}
