import { chalkStderr as chalk } from 'chalk';
import { UserError } from '../errors.js';
import type { CommandDefinition } from './define.js';
import { configFileOption } from './shared-options.js';

export const doctorCommand: CommandDefinition = {
  name: 'doctor',
  description: 'Check the project and the machine for problems, and say how to fix each',
  options: [
    configFileOption,
    { flags: '--fix', description: 'apply the fixes the checks offer (predict to run migration, cog.BaseModel for pydantic workarounds, removed imports)' },
  ],
  handler: async (_args, options, context) => {
    const [{ runDoctor }, { renderDoctorReport, unfixedErrors }] = await Promise.all([import('../workflows/doctor.js'), import('../doctor/report.js')]);
    const report = await runDoctor({ cwd: context.cwd, configFile: options.file as string, fix: Boolean(options.fix) });
    // The whole report is diagnostics, on stderr as upstream prints it; stdout stays empty.
    const marks = { ok: chalk.green('✓'), warning: chalk.yellow('!'), error: chalk.red('✗') };
    for (const line of renderDoctorReport(report, marks)) context.logger.raw(line);
    const problems = unfixedErrors(report).length + report.failedFixes.length;
    if (problems > 0) throw new UserError(`cog doctor found ${problems} problem(s)`);
  },
};
