import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/types.js';
import { UserError } from '../errors.js';
import type { Finding } from './types.js';

/**
 * The predictor side of `cog doctor`: does cog.yaml's reference point at a file and a class that
 * exist (upstream's config-predict-ref, in its words), and can the predictor be described (the
 * static schema cogpack builds with).
 */
export async function checkPredictRef(config: Config): Promise<Finding[]> {
  const references = [config.predict, config.train].filter((ref): ref is string => Boolean(ref));
  if (references.length === 0) {
    return [{ check: 'config-predict-ref', severity: 'warning', message: 'cog.yaml names no predictor', fix: 'add `run: "run.py:Runner"` to cog.yaml' }];
  }
  const findings = references.flatMap((reference) => referenceProblems(config, reference));
  if (findings.length > 0) return findings;
  return [{ check: 'config-predict-ref', severity: 'ok', message: `${references.join(', ')} found` }, ...(await checkPredictorSchema(config))];
}

function referenceProblems(config: Config, reference: string): Finding[] {
  const colon = reference.lastIndexOf(':');
  const file = colon > 0 ? reference.slice(0, colon) : '';
  const name = colon > 0 ? reference.slice(colon + 1) : '';
  if (!file || !name) {
    return [
      {
        check: 'config-predict-ref',
        severity: 'error',
        message: `predict reference ${JSON.stringify(reference)} must be in the form 'file.py:ClassName'`,
        fix: 'Set predict to "predict.py:Predictor" in cog.yaml',
      },
    ];
  }
  const full = path.join(config.projectDir, file);
  if (!existsSync(full)) {
    return [{ check: 'config-predict-ref', severity: 'error', message: `${file} not found`, fix: `Create ${file} or update the predict field in cog.yaml` }];
  }
  const source = readFileSync(full, 'utf8');
  const classes = [...source.matchAll(/^class\s+([A-Za-z_]\w*)/gm)].map((m) => m[1]!);
  const functions = [...source.matchAll(/^(?:async\s+)?def\s+([A-Za-z_]\w*)/gm)].map((m) => m[1]!);
  if (classes.includes(name) || functions.includes(name)) return [];
  return [
    {
      check: 'config-predict-ref',
      severity: 'error',
      message: `class ${JSON.stringify(name)} not found in ${file}${classes.length > 0 ? `; found: ${classes.join(', ')}` : ''}`,
      fix: `Add class ${name} to ${file} or update the predict field in cog.yaml`,
    },
  ];
}

/** The static schema of the predictor: what `cog build` would refuse, at its line. */
async function checkPredictorSchema(config: Config): Promise<Finding[]> {
  const { generateSchemaJson } = await import('../schema/index.js');
  try {
    await generateSchemaJson({ projectDir: config.projectDir, predict: config.predict, train: config.train });
    return [{ check: 'python-predictor-schema', severity: 'ok', message: 'its inputs and output are supported' }];
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return [{ check: 'python-predictor-schema', severity: 'error', message: error.message, fix: error.hint ?? 'fix the predictor as the message says' }];
  }
}

/** The project files that hold the predictor and the trainer. */
export function predictorFiles(config: Config): string[] {
  const files = [config.predict, config.train].flatMap((reference) => {
    const file = reference?.slice(0, reference.lastIndexOf(':'));
    return file ? [path.join(config.projectDir, file)] : [];
  });
  return [...new Set(files)].filter((file) => existsSync(file));
}
