import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli.js';
import { devImageName } from '../../src/workflows/model-image.js';
import { copyFixture } from '../support/project-copy.js';
import { requireTestbed, type Testbed } from '../support/testbed.js';

// `cog run` from a project directory reads cog.yaml once and describes the predictor once, and
// hands both to the dev build (resolution, plan, staging) and to the input checks. Counted on the
// real path: every readFileSync of the process and every call of the schema reader, while a real
// run builds the dev image, starts the container and gets a prediction.

const counted = vi.hoisted(() => ({ files: [] as string[], schemaExtractions: 0 }));

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const readFileSync = ((...args: Parameters<typeof fs.readFileSync>) => {
    counted.files.push(String(args[0]));
    return fs.readFileSync(...args);
  }) as typeof fs.readFileSync;
  return { ...fs, readFileSync, default: { ...fs, readFileSync } };
});

vi.mock('../../src/schema/index.js', async (importOriginal) => {
  const schema = await importOriginal<typeof import('../../src/schema/index.js')>();
  return {
    ...schema,
    generateSchemaJson: (...args: Parameters<typeof schema.generateSchemaJson>) => {
      counted.schemaExtractions++;
      return schema.generateSchemaJson(...args);
    },
  };
});

describe('cog run from a project [engine]', () => {
  let testbed: Testbed;
  const project = copyFixture('hello-world');

  beforeAll(async () => {
    testbed = await requireTestbed();
  });

  afterAll(async () => {
    await testbed?.docker.run(['image', 'rm', '--force', devImageName(project)]);
  });

  it('reads cog.yaml once and extracts the schema once', async () => {
    const out: string[] = [];
    let err = '';
    counted.files.length = 0;
    counted.schemaExtractions = 0;
    await main(['run', '-i', 'text=counted', '--progress', 'plain'], { cwd: project, print: (line) => out.push(line), writeErr: (text) => (err += text) }).catch(
      (error: unknown) => {
        throw new Error(`cog run failed: ${String(error)}\n${err.slice(-3000)}`);
      },
    );
    expect(out.join('\n')).toBe('hello counted');
    expect(counted.files.filter((file) => file === path.join(project, 'cog.yaml'))).toHaveLength(1);
    expect(counted.schemaExtractions).toBe(1);
    // The counter sees the run's reads: the predictor's source, read by the one extraction.
    expect(counted.files).toContain(path.join(project, 'predict.py'));
  });
});
