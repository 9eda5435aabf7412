import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { repoRoot } from '../../support/paths.js';

// docs/architecture.md's table of folders is the map a newcomer reads first: this keeps it drawn
// from the code. Every folder of src/ (and cli.ts) has a row, and imports only what its row lists.

const src = path.join(repoRoot, 'src');

interface Row {
  unit: string;
  imports: Set<string> | 'all-but-commands';
}

function tableRows(): Map<string, Row> {
  const doc = readFileSync(path.join(repoRoot, 'docs', 'architecture.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Folders'), doc.indexOf('## The boundaries'));
  const rows = new Map<string, Row>();
  for (const line of section.split('\n')) {
    const cells = line.split(' | ');
    const unit = /^\| `([^`]+)`$/.exec(cells[0] ?? '')?.[1];
    if (!unit || cells.length < 3) continue;
    const importsCell = cells[cells.length - 1]!;
    const imports = importsCell.startsWith('every folder below')
      ? ('all-but-commands' as const)
      : new Set([...importsCell.matchAll(/`([^`]+)`/g)].map((match) => match[1]!));
    rows.set(unit, { unit, imports });
  }
  return rows;
}

/** src/'s folders as `name/`, and cli.ts. */
function units(): string[] {
  const folders = readdirSync(src).filter((name) => statSync(path.join(src, name)).isDirectory());
  return [...folders.map((name) => `${name}/`), 'cli.ts'];
}

function filesOf(unit: string): string[] {
  if (!unit.endsWith('/')) return [path.join(src, unit)];
  const dir = path.join(src, unit);
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => path.join(dir, name));
}

/** What a unit's files import from src/, static or dynamic, as units (`docker/`, `errors.ts`). */
function importsOf(unit: string): Set<string> {
  const found = new Set<string>();
  for (const file of filesOf(unit)) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:from\s+|import\s*\(\s*)'(\.{1,2}\/[^']+)'/g)) {
      const target = path.relative(src, path.resolve(path.dirname(file), match[1]!));
      const [first, ...rest] = target.split(path.sep);
      const targetUnit = rest.length > 0 ? `${first}/` : first!.replace(/\.js$/, '.ts');
      if (targetUnit !== unit) found.add(targetUnit);
    }
  }
  return found;
}

it('every folder of src/ has a row in docs/architecture.md, and no row names a folder that is gone', () => {
  const rows = tableRows();
  expect([...rows.keys()].sort()).toEqual(units().sort());
});

it('each folder imports only what its row in docs/architecture.md lists', () => {
  const rows = tableRows();
  const undocumented: string[] = [];
  for (const unit of units()) {
    const row = rows.get(unit);
    if (!row) continue; // the test above names it
    for (const target of importsOf(unit)) {
      const allowed = row.imports === 'all-but-commands' ? target !== 'commands/' && target !== 'cli.ts' : row.imports.has(target);
      if (!allowed) undocumented.push(`${unit} imports ${target}`);
    }
  }
  expect(undocumented).toEqual([]);
});

it('the check sees imports: commands/ reaches workflows/ (loaded on use) and cli.ts reaches commands/', () => {
  expect(importsOf('commands/')).toContain('workflows/');
  expect(importsOf('cli.ts')).toContain('commands/');
});
