import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/types.js';
import { predictorFiles } from './predictor-checks.js';
import type { Finding } from './types.js';

/**
 * Two Python checks of `cog doctor` that come with a fix: output classes built on pydantic's
 * BaseModel with `arbitrary_types_allowed=True` (the workaround for Path fields, which
 * cog.BaseModel makes unneeded), and imports removed from the Cog SDK.
 */

/** Imports removed from the Cog SDK (spec build.md §3.2, check 7). */
const removedImports = [/^\s*from cog\.types import ExperimentalFeatureWarning\s*$/, /^\s*from cog import ExperimentalFeatureWarning\s*$/];

export function checkDeprecatedImports(config: Config): Finding[] {
  return predictorFiles(config).flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line, index) => (removedImports.some((p) => p.test(line)) ? [index + 1] : []))
      .map((line) => ({
        check: 'python-deprecated-imports' as const,
        severity: 'error' as const,
        message: `${path.basename(file)}:${line}: ExperimentalFeatureWarning was removed from cog in 0.17`,
        fix: 'delete the import (cog doctor --fix does it)',
        fixable: true,
      })),
  );
}

export function removeDeprecatedImports(config: Config): void {
  for (const file of predictorFiles(config)) {
    const lines = readFileSync(file, 'utf8').split('\n');
    const kept = lines.filter((line) => !removedImports.some((p) => p.test(line)));
    if (kept.length !== lines.length) writeFileSync(file, kept.join('\n'));
  }
}

/** Upstream's python-pydantic-basemodel check: which classes use the workaround, and where. */
export async function checkPydanticBaseModel(config: Config): Promise<Finding[]> {
  const { parsePython } = await import('../schema/grammar.js');
  const { collectModuleFacts, classBodyStatements, resolveName } = await import('../schema/python-module.js');
  const findings: Finding[] = [];
  for (const file of predictorFiles(config)) {
    const tree = await parsePython(readFileSync(file, 'utf8'));
    try {
      const facts = collectModuleFacts(path.basename(file), tree);
      for (const cls of facts.classes.values()) {
        const pydanticBase = cls.bases.some((base) => {
          const resolved = resolveName(base, facts.imports);
          return resolved.name === 'BaseModel' && resolved.module === 'pydantic';
        });
        const allowsArbitraryTypes = classBodyStatements(cls.node).some(
          (statement) =>
            statement.type === 'assignment' &&
            statement.childForFieldName('left')?.text === 'model_config' &&
            /\barbitrary_types_allowed\s*=\s*True\b/.test(statement.childForFieldName('right')?.text ?? ''),
        );
        if (!pydanticBase || !allowsArbitraryTypes) continue;
        findings.push({
          check: 'python-pydantic-basemodel',
          severity: 'error',
          message: `${facts.file}:${cls.node.startPosition.row + 1}: ${cls.name} inherits from pydantic.BaseModel with arbitrary_types_allowed; use cog.BaseModel instead`,
          fix: 'Replace pydantic.BaseModel with cog.BaseModel and remove ConfigDict(arbitrary_types_allowed=True)',
          fixable: true,
        });
      }
    } finally {
      tree.delete();
    }
  }
  return findings;
}

export function fixPydanticBaseModel(config: Config): void {
  for (const file of predictorFiles(config)) {
    const source = readFileSync(file, 'utf8');
    const fixed = useCogBaseModel(source);
    if (fixed !== source) writeFileSync(file, fixed);
  }
}

/**
 * The source with cog's BaseModel in place of pydantic's: `arbitrary_types_allowed=True` leaves
 * model_config (an emptied model_config line goes), `pydantic.BaseModel` becomes `BaseModel`,
 * BaseModel (and ConfigDict, once nothing uses it) leave the pydantic import, and BaseModel joins
 * the cog import.
 */
export function useCogBaseModel(source: string): string {
  const body: string[] = [];
  for (const line of source.split('\n')) {
    if (/\bmodel_config\s*=/.test(line) && /ConfigDict\(/.test(line)) {
      const without = line.replace(/arbitrary_types_allowed\s*=\s*True\s*,\s*|,\s*arbitrary_types_allowed\s*=\s*True|arbitrary_types_allowed\s*=\s*True/, '');
      if (!/ConfigDict\(\s*\)/.test(without)) body.push(without);
      continue;
    }
    body.push(line.replace(/\bpydantic\.BaseModel\b/g, 'BaseModel'));
  }
  const isPydanticImport = (line: string) => /^\s*from pydantic import /.test(line);
  const stillUsesConfigDict = body.some((line) => !isPydanticImport(line) && /\bConfigDict\b/.test(line));
  const lines = body.flatMap((line) => {
    const fromPydantic = /^(\s*)from pydantic import \(?([^)]*)\)?\s*$/.exec(line);
    if (!fromPydantic) return [line];
    const dropped = new Set(['BaseModel', ...(stillUsesConfigDict ? [] : ['ConfigDict'])]);
    const rest = fromPydantic[2]!.split(',').map((name) => name.trim()).filter((name) => name && !dropped.has(name));
    return rest.length > 0 ? [`${fromPydantic[1]}from pydantic import ${rest.join(', ')}`] : [];
  });
  let fixed = lines.join('\n');
  if (!/\bpydantic\./.test(fixed)) fixed = fixed.replace(/^import pydantic\s*\n/m, '');
  return addToCogImport(fixed, 'BaseModel');
}

function addToCogImport(source: string, name: string): string {
  const cogImport = /^(\s*from cog import )(.+)$/m.exec(source);
  if (!cogImport) return `from cog import ${name}\n${source}`;
  const names = cogImport[2]!.split(',').map((n) => n.trim());
  if (names.includes(name)) return source;
  return source.replace(cogImport[0], `${cogImport[1]}${cogImport[2]}, ${name}`);
}
