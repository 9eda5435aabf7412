import chalk from 'chalk';
import { UserError } from '../errors.js';
import type { CommandDefinition } from './define.js';
import { configFileOption } from './shared-options.js';

const marks = { ok: chalk.green('✓'), warning: chalk.yellow('!'), error: chalk.red('✗') } as const;

export const doctorCommand: CommandDefinition = {
  name: 'doctor',
  description: 'Check the project and the machine for problems, and say how to fix each',
  options: [
    configFileOption,
    { flags: '--fix', description: 'apply the safe fixes (renaming deprecated keys, removing removed imports)' },
  ],
  handler: async (_args, options, context) => {
    const { runDoctor } = await import('../workflows/doctor.js');
    const report = await runDoctor({ cwd: context.cwd, configFile: options.file as string, fix: Boolean(options.fix) });
    for (const finding of report.findings) {
      context.print(`${marks[finding.severity]} ${finding.check}: ${finding.message}`);
      if (finding.fix && finding.severity !== 'ok') context.print(`    fix: ${finding.fix}`);
    }
    for (const fixed of report.fixed) context.print(`${marks.ok} fixed: ${fixed}`);
    const unfixed = report.findings.filter((f) => f.severity === 'error' && !(report.fixed.length > 0 && f.fixable));
    if (unfixed.length > 0) {
      const fixable = unfixed.some((f) => f.fixable) && !options.fix ? ' (run `cog doctor --fix` for the ones marked as such)' : '';
      throw new UserError(`cog doctor found ${unfixed.length} problem(s)${fixable}`);
    }
  },
};
