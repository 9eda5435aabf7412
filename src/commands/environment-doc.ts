import { listVariables, variableGroups, type Variable, type VariableName } from '../settings/variables.js';
import { longFlag } from './options.js';
import { commands } from './table.js';

/**
 * docs/environment.md and README.md's table of variables, generated from the one list
 * (settings/variables.ts) and the command table: a unit test fails when either file is out of date.
 */

const regenerate = 'run `npx vitest run -u test/unit/settings/environment-doc.test.ts`';

/** docs/environment.md: every variable, by group: what it takes, its default, the flag it stands in for. */
export function renderEnvironmentReference(): string {
  const mirrors = flagsOfVariables();
  const lines = [
    '# Environment variables',
    '',
    `<!-- Generated from src/settings/variables.ts by src/commands/environment-doc.ts; a unit test fails when this file is out of date: ${regenerate}. -->`,
    '',
    'Every variable cogpack reads. A flag wins over the variable that stands in for it; a value the',
    'variable\'s kind refuses is a usage error (exit 2) naming the variable, unless the variable is',
    'one upstream ignores when it is bad (then `--debug` says it was ignored). With `--debug`, a command',
    'says where each setting a variable may give came from: `concurrency 2 (from COG_PUSH_CONCURRENCY)`.',
  ];
  for (const [group, title] of Object.entries(variableGroups)) {
    const entries = listVariables().filter(([, variable]) => variable.group === group);
    if (entries.length === 0) continue;
    lines.push('', `## ${title}`, '', '| variable | takes | default | flag | what it does |', '|---|---|---|---|---|');
    for (const [name, variable] of entries) {
      lines.push(`| \`${name}\` | ${variable.kind.expects} | ${defaultOf(variable)} | ${mirrors.get(name)?.join('<br>') ?? '—'} | ${variable.description} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** README.md's table: the variables users reach for, between the `environment` markers. */
export function renderReadmeEnvironmentTable(): string {
  const rows = listVariables()
    .filter(([, variable]) => variable.readme)
    .map(([name, variable]) => `| \`${name}\` | ${variable.description}${variable.default === undefined ? '' : ` Default \`${variable.default}\`.`} |`);
  return ['| variable | effect |', '|---|---|', ...rows, '', `Every variable, with its type and default: [docs/environment.md](docs/environment.md).`].join('\n');
}

/** The markers around the generated table in README.md. */
export const readmeMarkers = { start: '<!-- environment:start (generated from src/settings/variables.ts) -->', end: '<!-- environment:end -->' } as const;

function defaultOf(variable: Variable): string {
  if (variable.default !== undefined) return `\`${variable.default}\``;
  return variable.defaultText ?? '—';
}

/** For each variable, the flags it stands in for (`--progress` of build, run, …), and the commands that read it without a flag. */
function flagsOfVariables(): Map<VariableName, string[]> {
  const byFlag = new Map<VariableName, Map<string, string[]>>();
  for (const command of commands) {
    for (const spec of Object.values(command.options)) {
      if (!spec.env) continue;
      const flag = spec.flags ? `\`${longFlag(spec.flags)}\` of` : 'read by';
      const flags = byFlag.get(spec.env) ?? new Map<string, string[]>();
      flags.set(flag, [...(flags.get(flag) ?? []), command.name]);
      byFlag.set(spec.env, flags);
    }
  }
  return new Map(
    [...byFlag].map(([name, flags]) => [name, [...flags].map(([flag, names]) => `${flag} \`cog ${names.join('`, `cog ')}\``)]),
  );
}
