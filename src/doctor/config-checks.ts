import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { findConfigFile } from '../config/find.js';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/types.js';
import { ConfigError, formatConfigIssue, UserError } from '../errors.js';
import { hasLegacyPredictNames, isStarterPredictRef } from './migrate-predict.js';
import type { Finding } from './types.js';

/** The config side of `cog doctor`, and what the later checks need from it. */
export interface ConfigCheckResult {
  findings: Finding[];
  config: Config | undefined;
}

/** config-parse, config-schema, predict-to-run-migration, config-deprecated-fields (spec build.md §3.2). */
export function checkConfig(cwd: string, configFile: string | undefined): ConfigCheckResult {
  let found;
  try {
    found = findConfigFile(cwd, configFile);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return { config: undefined, findings: [{ check: 'config-parse', severity: 'error', message: error.message, fix: 'create one with `cog init`' }] };
  }
  const name = path.basename(found.file);
  let loaded;
  try {
    loaded = loadConfig(found);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return {
      config: undefined,
      findings: error.issues.map((issue) => ({
        check: issue.message.startsWith('invalid YAML') ? ('config-parse' as const) : ('config-schema' as const),
        severity: 'error' as const,
        message: formatConfigIssue(issue),
        fix: 'edit cog.yaml at that line (docs/cog-yaml-errors.md explains each message)',
      })),
    };
  }
  const findings: Finding[] = [{ check: 'config-schema', severity: 'ok', message: `${name} is valid` }];
  const deprecation = (warning: string) => warning.includes(': deprecated field "');
  for (const warning of loaded.warnings.filter((w) => !deprecation(w))) {
    findings.push({ check: 'config-schema', severity: 'warning', message: warning, fix: 'edit cog.yaml as the message says' });
  }
  findings.push(...checkPredictToRun(loaded.config, readFileSync(found.file, 'utf8')));
  // `predict` is the migration check's; the other deprecations are this one's.
  for (const warning of loaded.warnings.filter((w) => deprecation(w) && !w.includes('deprecated field "predict"'))) {
    findings.push({ check: 'config-deprecated-fields', severity: 'warning', message: warning, fix: 'edit cog.yaml as the message says' });
  }
  return { config: loaded.config, findings };
}

/** Upstream's predict → run migration check: the deprecated key, and the starter project's names. */
function checkPredictToRun(config: Config, configText: string): Finding[] {
  if (!/^predict\s*:/m.test(configText)) return [];
  const findings: Finding[] = [
    {
      check: 'predict-to-run-migration',
      severity: 'warning',
      message: 'predict in cog.yaml is deprecated; use run with run.py:Runner',
      fix: 'Run cog doctor --fix to migrate predict: to run:',
      fixable: true,
    },
  ];
  const predictPy = path.join(config.projectDir, 'predict.py');
  if (isStarterPredictRef(configText) && existsSync(predictPy) && hasLegacyPredictNames(readFileSync(predictPy, 'utf8'))) {
    findings.push({
      check: 'predict-to-run-migration',
      severity: 'warning',
      message: 'predict.py uses deprecated Predictor/BasePredictor/predict() names',
      fix: 'Run cog doctor --fix to migrate to Runner/BaseRunner/run()',
      fixable: true,
    });
  }
  return findings;
}
