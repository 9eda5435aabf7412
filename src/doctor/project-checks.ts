import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { findConfigFile } from '../config/find.js';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/types.js';
import { ConfigError, formatConfigIssue, UserError } from '../errors.js';
import type { Finding } from './types.js';

/** The project side of `cog doctor`: cog.yaml, the predictor, deprecated fields and imports. */
export interface ProjectCheckResult {
  findings: Finding[];
  config: Config | undefined;
}

export function checkConfig(cwd: string, configFile: string | undefined): ProjectCheckResult {
  let found;
  try {
    found = findConfigFile(cwd, configFile);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return { config: undefined, findings: [{ check: 'config-parse', severity: 'error', message: error.message, fix: 'create one with `cog init`' }] };
  }
  try {
    const { config, warnings } = loadConfig(found);
    const findings: Finding[] = [{ check: 'config-schema', severity: 'ok', message: `${path.basename(found.file)} is valid` }];
    for (const warning of warnings) {
      const predictKey = warning.includes(': deprecated field "predict"');
      findings.push({
        check: warning.includes(': deprecated field') ? 'config-deprecated-fields' : 'config-schema',
        severity: 'warning',
        message: warning,
        fix: predictKey ? 'rename `predict:` to `run:` (cog doctor --fix does it)' : 'edit cog.yaml as the message says',
        fixable: predictKey,
      });
    }
    return { config, findings };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return {
      config: undefined,
      findings: error.issues.map((issue) => ({
        check: issue.message.startsWith('invalid YAML') ? 'config-parse' : 'config-schema',
        severity: 'error' as const,
        message: formatConfigIssue(issue),
        fix: 'edit cog.yaml at that line (docs/cog-yaml-errors.md explains each message)',
      })),
    };
  }
}

/** The predictor reference resolves and its signature can be described (the static schema). */
export async function checkPredictor(config: Config): Promise<Finding[]> {
  if (!config.predict && !config.train) {
    return [{ check: 'config-predict-ref', severity: 'warning', message: 'cog.yaml names no predictor', fix: 'add `run: "run.py:Runner"` to cog.yaml' }];
  }
  const { generateSchemaJson } = await import('../schema/index.js');
  try {
    await generateSchemaJson({ projectDir: config.projectDir, predict: config.predict, train: config.train });
    return [{ check: 'config-predict-ref', severity: 'ok', message: `${config.predict ?? config.train} parses and its inputs and output are supported` }];
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return [{ check: 'config-predict-ref', severity: 'error', message: error.message, fix: error.hint ?? 'fix the predictor as the message says' }];
  }
}

/** Imports removed from the Cog SDK (spec build.md §3.2, check 7). */
const removedImports = [/^\s*from cog\.types import ExperimentalFeatureWarning\s*$/, /^\s*from cog import ExperimentalFeatureWarning\s*$/];

export function checkDeprecatedImports(config: Config): Finding[] {
  const file = predictorFile(config);
  if (!file) return [];
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const lines = text.split('\n');
  const hits = lines.flatMap((line, index) => (removedImports.some((p) => p.test(line)) ? [index + 1] : []));
  return hits.map((line) => ({
    check: 'python-deprecated-imports',
    severity: 'error' as const,
    message: `${path.basename(file)}:${line}: ExperimentalFeatureWarning was removed from cog in 0.17`,
    fix: 'delete the import (cog doctor --fix does it)',
    fixable: true,
  }));
}

/** `--fix`: the safe, mechanical fixes. Returns what was done. */
export function applyProjectFixes(config: Config, findings: Finding[]): string[] {
  const done: string[] = [];
  if (findings.some((f) => f.fixable && f.check === 'config-deprecated-fields')) {
    const doc = parseDocument(readFileSync(config.file, 'utf8'));
    const value = doc.get('predict');
    if (value !== undefined && !doc.has('run')) {
      // Editing the document keeps comments and layout: only the key changes name.
      const pair = (doc.contents as { items: Array<{ key: { value: string } }> }).items.find((item) => item.key.value === 'predict');
      if (pair) pair.key.value = 'run';
      writeFileSync(config.file, doc.toString());
      done.push('renamed `predict:` to `run:` in cog.yaml');
    }
  }
  const file = predictorFile(config);
  if (file && findings.some((f) => f.fixable && f.check === 'python-deprecated-imports')) {
    const kept = readFileSync(file, 'utf8').split('\n').filter((line) => !removedImports.some((p) => p.test(line)));
    writeFileSync(file, kept.join('\n'));
    done.push(`removed the ExperimentalFeatureWarning import from ${path.basename(file)}`);
  }
  return done;
}

function predictorFile(config: Config): string | undefined {
  const reference = config.predict ?? config.train;
  const file = reference?.split(':')[0];
  return file ? path.join(config.projectDir, file) : undefined;
}
