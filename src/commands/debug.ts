import { baseImageOptions, readBaseImageFlags } from './base-image-flags.js';
import type { CommandDefinition } from './define.js';
import { configFileOption } from './shared-options.js';

export const debugCommand: CommandDefinition = {
  name: 'debug',
  description: 'Print the Dockerfile cog build would use (--json: the whole resolution)',
  options: [
    configFileOption,
    { flags: '--json', description: 'print one JSON object: base image, versions, requirements, warnings, Dockerfile' },
    ...baseImageOptions,
  ],
  handler: async (_args, options, context) => {
    const { debugModel } = await import('../workflows/debug.js');
    const report = await debugModel({ cwd: context.cwd, configFile: options.file as string, ...readBaseImageFlags(options) });
    if (options.json) {
      context.print(JSON.stringify(report, null, 2));
      return;
    }
    for (const warning of report.warnings) context.logger.warn(warning);
    context.print(report.dockerfile.trimEnd());
  },
};
