import { chalkStderr as chalk } from 'chalk';
import { UserError } from '../errors.js';
import { switchFlag } from '../settings/values.js';
import { defineCommand } from './define.js';
import { option } from './options.js';
import { configFileOption } from './shared-options.js';

export const doctorCommand = defineCommand({
  name: 'doctor',
  description: 'Check the project and the machine for problems, and say how to fix each',
  options: {
    file: configFileOption,
    fix: option({
      flags: '--fix',
      description: 'apply the fixes the checks offer (predict to run migration, cog.BaseModel for pydantic workarounds, removed imports)',
      kind: switchFlag(),
    }),
  },
  handler: async (_args, options, context) => {
    const [{ runDoctor }, { renderDoctorReport, unfixedErrors }] = await Promise.all([import('../workflows/doctor.js'), import('../doctor/report.js')]);
    const report = await runDoctor({ cwd: context.cwd, configFile: options.file, fix: Boolean(options.fix), env: context.env });
    // The whole report is diagnostics, on stderr as upstream prints it; stdout stays empty.
    const marks = { ok: chalk.green('✓'), warning: chalk.yellow('!'), error: chalk.red('✗') };
    for (const line of renderDoctorReport(report, marks)) context.logger.raw(line);
    const problems = unfixedErrors(report).length + report.failedFixes.length;
    if (problems > 0) throw new UserError(`cog doctor found ${problems} problem(s)`);
  },
});
