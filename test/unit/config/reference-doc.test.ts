import { expect, it } from 'vitest';
import { renderCogYamlReference } from '../../../src/config/reference-doc.js';

it('docs/cog-yaml.md is generated from the schema and up to date', async () => {
  const text = renderCogYamlReference();
  for (const key of ['`build.python_version`', '`build.gpu`', '`build.run[].mounts[].type`', '`weights[].target`', '`run`', '`environment`']) {
    expect(text).toContain(key);
  }
  await expect(text).toMatchFileSnapshot('../../../docs/cog-yaml.md');
});
