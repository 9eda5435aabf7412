import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, type ConfigIssue } from '../errors.js';
import { normalise } from './normalise.js';
import { Report } from './report.js';
import { checkRules } from './rules.js';
import { checkShape } from './shape.js';
import type { LoadedConfig } from './types.js';
import { readYamlTree, type YamlTree } from './yaml-tree.js';

export interface LoadConfigOptions {
  /** Absolute path of cog.yaml. */
  file: string;
  /** Project directory; defaults to the file's folder. */
  projectDir?: string;
  /** The text, when already read (tests); otherwise read from `file`. */
  text?: string;
}

/**
 * Reads and validates cog.yaml: YAML with positions (yaml-tree.ts) → shape (schema.ts, shape.ts)
 * → rules (rules.ts, weights.ts) → normalise (normalise.ts). Returns the config and its warnings,
 * or throws one ConfigError listing every problem found, each located at a line and column.
 */
export function loadConfig(options: LoadConfigOptions): LoadedConfig {
  const projectDir = options.projectDir ?? path.dirname(options.file);
  const fileName = path.basename(options.file);
  const text = options.text ?? readConfigText(options.file, fileName);
  const tree = readTree(text, fileName);
  const report = new Report(tree, fileName);

  for (const problem of tree.errors) report.yamlError(problem.position, problem.path, problem.message, problem.hint);
  for (const problem of tree.warnings) {
    report.warn(`${fileName}:${problem.position.line}:${problem.position.column}: ${problem.message}`);
  }
  // A syntax error leaves no tree to check; duplicate keys and bad aliases do.
  if (tree.errors.length > 0 && tree.value === null) throw new InvalidConfigError(report.sortedIssues(), report.warnings);

  if (tree.value !== null && (typeof tree.value !== 'object' || Array.isArray(tree.value))) {
    report.yamlError(tree.positionOf([]), [], 'must be a mapping of keys to values, such as build: and run:');
    throw new InvalidConfigError(report.sortedIssues(), report.warnings);
  }

  const file = checkShape(tree.value, report);
  checkRules(tree.value, { report, projectDir });
  if (report.hasErrors || !file) throw new InvalidConfigError(report.sortedIssues(), report.warnings);
  return { config: normalise(file, { file: options.file, projectDir }), warnings: report.warnings };
}

/**
 * A ConfigError that also carries the warnings: they often explain the error (a misspelt
 * `python_verison` is why `python_version is required`), so its message lists them too.
 */
export class InvalidConfigError extends ConfigError {
  constructor(
    issues: readonly ConfigIssue[],
    /** Warnings found along the way, as loadConfig would have returned them. */
    readonly warnings: readonly string[],
  ) {
    super(issues);
    if (warnings.length > 0) this.message += `\nwarnings:\n${warnings.map((w) => `  ${w}`).join('\n')}`;
  }
}

function readConfigText(file: string, fileName: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError([{ file: fileName, line: 1, column: 1, path: '', message: `cannot read the file: ${reason}` }]);
  }
}

/** The YAML library is third-party code reading user input: whatever it throws is about that input. */
function readTree(text: string, fileName: string): YamlTree {
  try {
    return readYamlTree(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new ConfigError([{ file: fileName, line: 1, column: 1, path: '', message: `invalid YAML: ${reason}` }]);
  }
}
