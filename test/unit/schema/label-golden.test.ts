import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { generateSchemaJson } from '../../../src/schema/index.js';
import { goKeyOrderProblems } from '../../support/go-json-order.js';
import { fixture, fixturesDir } from '../../support/paths.js';

// The `run.cog.openapi_schema` label (and `.cog/openapi_schema.json` in the image) of every
// fixture predictor, byte for byte: scripts written for upstream Cog grep exact substrings of it.
// The golden files are the bytes; the key-order check is written from Go's rule, not from them.
const predictorFixtures = readdirSync(fixturesDir)
  .filter((name) => existsSync(path.join(fixturesDir, name, 'cog.yaml')))
  .filter((name) => {
    const { config } = loadConfig({ file: path.join(fixture(name), 'cog.yaml') });
    return Boolean(config.predict ?? config.train);
  })
  .sort();

async function labelOf(name: string): Promise<string> {
  const { config } = loadConfig({ file: path.join(fixture(name), 'cog.yaml') });
  return (await generateSchemaJson({ projectDir: config.projectDir, predict: config.predict, train: config.train })).json;
}

describe('schema label of every fixture predictor', () => {
  it('covers every fixture with a predictor', () => {
    expect(predictorFixtures.length).toBeGreaterThanOrEqual(12);
  });

  it.each(predictorFixtures)('%s: the label is the golden bytes', async (name) => {
    await expect(`${await labelOf(name)}\n`).toMatchFileSnapshot(`../../golden/schema-label/${name}.json`);
  });

  it.each(predictorFixtures)('%s: keys are in the order Go writes them', async (name) => {
    expect(goKeyOrderProblems(await labelOf(name))).toEqual([]);
  });

  it('many-inputs holds the substrings upstream tests grep for', async () => {
    const label = await labelOf('many-inputs');
    expect(label).toContain('"options":{"default":{},"description":"Free-form options","title":"Options","type":"object","x-order":11}');
    expect(label).toContain('"required":["prompt"]');
  });
});

describe('the key-order check itself', () => {
  it('refuses an input property written in insertion order', () => {
    const bad = JSON.stringify({ components: { schemas: { Input: { properties: { data: { 'x-order': 0, title: 'Data', type: 'object' } }, title: 'Input', type: 'object' } } } });
    expect(goKeyOrderProblems(bad)).toEqual(['/components/schemas/Input/properties/data: x-order, title, type']);
  });

  it('accepts parameter order in Input.properties, and sorted keys everywhere else', () => {
    const good = JSON.stringify({ components: { schemas: { Input: { properties: { b: { title: 'B', type: 'string', 'x-order': 0 }, a: { title: 'A', type: 'string', 'x-order': 1 } }, title: 'Input', type: 'object' } } } });
    expect(goKeyOrderProblems(good)).toEqual([]);
  });

  it('golden files exist only for fixtures that still exist', () => {
    const goldens = readdirSync(path.join(fixturesDir, '..', 'test', 'golden', 'schema-label')).map((file) => file.replace(/\.json$/, ''));
    expect(goldens.sort()).toEqual(predictorFixtures);
    for (const name of goldens) expect(readFileSync(path.join(fixturesDir, '..', 'test', 'golden', 'schema-label', `${name}.json`), 'utf8').endsWith('}\n')).toBe(true);
  });
});
