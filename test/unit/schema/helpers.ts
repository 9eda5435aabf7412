import path from 'node:path';
import { generateSchemaJson, type GenerateSchemaOptions } from '../../../src/schema/index.js';
import type { JsonObject, OpenApiDocument } from '../../../src/schema/types.js';

const projectDir = '/project';

/** Generates the schema of an in-memory project: `predict.py` plus any other files. */
export async function schemaOf(
  predictPy: string,
  options: { files?: Record<string, string>; predict?: string; train?: string; warnings?: string[] } = {},
): Promise<{ document: OpenApiDocument; json: string }> {
  const files: Record<string, string> = { 'predict.py': predictPy, ...options.files };
  const readFile: GenerateSchemaOptions['readFile'] = (file) => {
    const text = files[path.relative(projectDir, file)];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: ${file}`), { code: 'ENOENT' });
    return text;
  };
  return generateSchemaJson({
    projectDir,
    predict: 'train' in options && !('predict' in options) ? undefined : (options.predict ?? 'predict.py:Predictor'),
    train: options.train,
    readFile,
    onWarning: (message) => options.warnings?.push(message),
  });
}

/** A predictor whose run() takes `parameters` and returns `returns`, after `header` (imports, constants, classes). */
export function predictor(parameters: string, returns = 'str', header = ''): string {
  return [
    'from typing import Any, Optional, Union, List, Dict, Iterator, AsyncIterator',
    'from cog import BaseRunner, Input, Path, File, Secret, BaseModel, ConcatenateIterator',
    header,
    'class Predictor(BaseRunner):',
    `    def run(self, ${parameters}) -> ${returns}:`,
    '        ...',
    '',
  ].join('\n');
}

export async function inputSchema(parameters: string, header = ''): Promise<JsonObject> {
  const { document } = await schemaOf(predictor(parameters, 'str', header));
  return document.components.schemas.Input!;
}

export async function outputSchema(returns: string, header = '', files: Record<string, string> = {}): Promise<JsonObject> {
  const { document } = await schemaOf(predictor('', returns, header), { files });
  return document.components.schemas.Output!;
}

/** The message of the error a project fails with; fails the test when it does not. */
export async function schemaError(predictPy: string, files: Record<string, string> = {}, predict?: string): Promise<string> {
  try {
    await schemaOf(predictPy, { files, ...(predict ? { predict } : {}) });
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the schema generation to fail');
}
