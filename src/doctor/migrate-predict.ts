import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import type { Config } from '../config/types.js';

/**
 * `cog doctor --fix` for the predict → run rename (upstream's predict-to-run-migration check).
 * The starter project (`predict: "predict.py:Predictor"`, one Predictor class with one predict())
 * becomes `run: "run.py:Runner"` with run.py holding a Runner(BaseRunner).run(); any other project
 * gets only its `predict:` key renamed to `run:`, the value kept, which upstream leaves to the user.
 */

const starterRef = /^predict\s*:\s*(["']?)predict\.py:Predictor\1\s*(#.*)?$/m;
const basePredictor = /\bBasePredictor\b/g;
const predictorClass = /\bclass\s+Predictor(\s*[(:])/g;
const predictMethod = /\bdef\s+predict\s*\(/g;

export function isStarterPredictRef(configText: string): boolean {
  return starterRef.test(configText);
}

export function hasLegacyPredictNames(source: string): boolean {
  return [basePredictor, predictorClass, predictMethod].some((pattern) => new RegExp(pattern.source).test(source));
}

/** predict.py's source with the run names, or why it cannot be migrated mechanically. */
export function migratePredictorSource(source: string): { source: string } | { problem: string } {
  const count = (pattern: RegExp) => source.match(pattern)?.length ?? 0;
  if (count(predictorClass) !== 1 || count(predictMethod) !== 1) {
    return { problem: 'Manual migration required: automatic migration only supports a single Predictor class with a single predict method' };
  }
  return {
    source: source.replace(basePredictor, 'BaseRunner').replace(predictorClass, 'class Runner$1').replace(predictMethod, 'def run('),
  };
}

/** Applies the migration; throws with the reason when it cannot (nothing is written then). */
export function migratePredictToRun(config: Config): string {
  const configText = readFileSync(config.file, 'utf8');
  if (/^run\s*:/m.test(configText)) throw new Error('automatic migration cannot run when run is already set');
  if (!isStarterPredictRef(configText)) {
    renamePredictKey(config.file, configText);
    return 'renamed predict: to run: in cog.yaml (the predictor itself keeps its names)';
  }
  const oldFile = path.join(config.projectDir, 'predict.py');
  const newFile = path.join(config.projectDir, 'run.py');
  if (existsSync(newFile)) throw new Error('cannot migrate predict.py to run.py because run.py already exists');
  if (!existsSync(oldFile)) throw new Error('cannot migrate predict.py to run.py because predict.py was not found');
  const migrated = migratePredictorSource(readFileSync(oldFile, 'utf8'));
  if ('problem' in migrated) throw new Error(migrated.problem);
  const newConfig = configText.replace(starterRef, (_line, _quote, comment: string | undefined) => `run: "run.py:Runner"${comment ? ` ${comment}` : ''}`);
  // run.py first, then cog.yaml; if cog.yaml cannot be written, run.py goes again, so the project
  // is left as it was rather than half migrated. predict.py goes last.
  writeFileSync(newFile, migrated.source);
  try {
    writeFileSync(config.file, newConfig);
  } catch (error) {
    rmSync(newFile, { force: true });
    throw error;
  }
  rmSync(oldFile);
  return 'migrated predict.py:Predictor to run.py:Runner (cog.yaml, run.py; predict.py removed)';
}

/** Renames the key in place: the YAML document keeps its comments and layout. */
function renamePredictKey(file: string, text: string): void {
  const document = parseDocument(text);
  const pair = (document.contents as { items?: Array<{ key: { value: string } }> }).items?.find((item) => item.key.value === 'predict');
  if (!pair) throw new Error('no top-level predict: key to rename');
  pair.key.value = 'run';
  writeFileSync(file, document.toString());
}
