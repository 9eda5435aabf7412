import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../errors.js';
import { configFileSchema, type ConfigFile } from './schema.js';
import { formatPath, locate, sourceText } from './locate.js';
import type { Config, LoadedConfig, RunStep } from './types.js';

export interface LoadConfigOptions {
  /** Absolute path of cog.yaml. */
  file: string;
  /** Project directory; defaults to the file's folder. */
  projectDir?: string;
  /** The text, when already read (tests); otherwise read from `file`. */
  text?: string;
}

/**
 * Reads and validates cog.yaml: parse with positions → check the shape (zod) → cross-field rules
 * → normalise. Returns the config and its warnings, or throws one ConfigError listing every
 * problem found, each located at a line and column.
 */
export function loadConfig(options: LoadConfigOptions): LoadedConfig {
  const projectDir = options.projectDir ?? path.dirname(options.file);
  const displayName = path.basename(options.file);
  const text = options.text ?? readFileSync(options.file, 'utf8');
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });

  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((error) => {
        const pos = lines.linePos(error.pos[0]);
        return {
          file: displayName,
          line: pos.line,
          column: pos.col,
          path: '',
          message: `invalid YAML: ${error.message.split('\n')[0]}`,
        };
      }),
    );
  }

  const issue = (keyPath: ReadonlyArray<PropertyKey>, message: string): ConfigIssue => ({
    file: displayName,
    ...locate(doc, lines, keyPath),
    path: formatPath(keyPath),
    message,
  });

  const raw: unknown = doc.toJS() ?? {};
  const parsed = configFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => issue(i.path, describeShapeIssue(i))));
  }

  const file = parsed.data;
  const issues: ConfigIssue[] = [];
  const warnings: string[] = [];
  const config = normalise(file, doc, { file: options.file, projectDir });
  checkRules(file, config, { issue, issues, warnings });
  if (issues.length > 0) throw new ConfigError(issues);
  return { config, warnings };
}

function describeShapeIssue(i: z.core.$ZodIssue): string {
  if (i.code === 'invalid_type') {
    const expected = String(i.expected).replace('object', 'mapping').replace('array', 'list');
    return `must be a ${expected}`;
  }
  if (i.code === 'invalid_union') return 'has the wrong type';
  return i.message;
}

function normalise(file: ConfigFile, doc: Document, where: { file: string; projectDir: string }): Config {
  const build = file.build ?? undefined;
  const text = (keyPath: string[]) => sourceText(doc, keyPath);
  const requirements = build?.python_requirements;
  return {
    file: where.file,
    projectDir: where.projectDir,
    build: {
      pythonVersion: build ? text(['build', 'python_version'])?.trim() : undefined,
      gpu: build?.gpu ?? false,
      cuda: build ? text(['build', 'cuda']) : undefined,
      cudnn: build ? text(['build', 'cudnn']) : undefined,
      pythonRequirements: requirements ? path.resolve(where.projectDir, requirements) : undefined,
      pythonPackages: build?.python_packages ?? [],
      systemPackages: build?.system_packages ?? [],
      run: [...(build?.run ?? []), ...(build?.pre_install ?? [])].map(toRunStep),
      sdkVersion: build ? text(['build', 'sdk_version']) : undefined,
    },
    predict: file.run || file.predict || undefined,
    train: file.train || undefined,
    image: file.image || undefined,
    model: file.model || undefined,
    environment: (file.environment ?? []).map((entry) => {
      const eq = entry.indexOf('=');
      return eq < 0 ? { name: entry, value: '' } : { name: entry.slice(0, eq), value: entry.slice(eq + 1) };
    }),
    concurrencyMax: file.concurrency?.max,
  };
}

function toRunStep(item: string | { command: string; mounts?: RunStep['mounts'] | null | undefined }): RunStep {
  return typeof item === 'string'
    ? { command: item.trim(), mounts: [] }
    : { command: item.command.trim(), mounts: item.mounts ?? [] };
}

interface RuleContext {
  issue: (keyPath: ReadonlyArray<PropertyKey>, message: string) => ConfigIssue;
  issues: ConfigIssue[];
  warnings: string[];
}

/** Cross-field rules of spec cog-yaml.md §3.2 and the deprecations of §3.3. */
function checkRules(file: ConfigFile, config: Config, { issue, issues, warnings }: RuleContext): void {
  if (file.run && file.predict) {
    issues.push(issue(['run'], 'only one of run or predict can be set'));
  } else if (file.run !== undefined && file.run.split('.py:').length !== 2) {
    issues.push(issue(['run'], "must be in the form 'run.py:Runner'"));
  } else if (file.predict !== undefined && file.predict.split('.py:').length !== 2) {
    issues.push(issue(['predict'], "must be in the form 'predict.py:Predictor'"));
  }
  if (file.predict) warnings.push('deprecated field "predict": use "run" instead');

  if (file.build) {
    const version = config.build.pythonVersion;
    if (!version) {
      issues.push(
        issue(['build', 'python_version'], 'python_version is required. Add it to the build section of your cog.yaml, e.g. `python_version: "3.13"`'),
      );
    } else {
      const problem = pythonVersionProblem(version);
      if (problem) issues.push(issue(['build', 'python_version'], problem));
    }
    if (config.build.pythonPackages.length > 0 && file.build.python_requirements) {
      issues.push(issue(['build'], 'only one of python_packages or python_requirements can be set, not both'));
    }
    if (config.build.pythonRequirements && !existsSync(config.build.pythonRequirements)) {
      issues.push(issue(['build', 'python_requirements'], `file does not exist: ${file.build.python_requirements}`));
    }
    if (file.build.python_packages?.length) warnings.push('deprecated field "build.python_packages": use "build.python_requirements" instead');
    if (file.build.pre_install?.length) warnings.push('deprecated field "build.pre_install": use "build.run" instead');
  }

  (file.environment ?? []).forEach((entry, index) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(entry)) {
      issues.push(issue(['environment', index], `"${entry}" must be NAME=value`));
    }
  });
}

function pythonVersionProblem(version: string): string | undefined {
  const parts = version.split('.');
  if (parts.length < 2) return "must include major and minor version (e.g., '3.11')";
  const [major, minor] = parts.map((p) => Number.parseInt(p, 10));
  if (major === undefined || Number.isNaN(major) || !/^\d+$/.test(parts[0] ?? '')) return 'invalid major version number';
  if (minor === undefined || Number.isNaN(minor) || !/^\d+$/.test(parts[1] ?? '')) return 'invalid minor version number';
  if (major < 3 || (major === 3 && minor < 10)) return 'minimum supported Python version is 3.10';
  return undefined;
}
