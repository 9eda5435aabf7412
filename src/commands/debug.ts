import { switchFlag } from '../settings/values.js';
import { defineCommand } from './define.js';
import { option } from './options.js';
import { baseImageFlags, baseImageOptions, configFileOption } from './shared-options.js';

export const debugCommand = defineCommand({
  name: 'debug',
  description: 'Print the Dockerfile cog build would use (--json: the whole resolution)',
  options: {
    file: configFileOption,
    json: option({ flags: '--json', description: 'print one JSON object: base image, versions, requirements, warnings, Dockerfile', kind: switchFlag() }),
    ...baseImageOptions,
  },
  handler: async (_args, options, context) => {
    const { debugModel } = await import('../workflows/debug.js');
    const report = await debugModel({ cwd: context.cwd, configFile: options.file, env: context.env, ...baseImageFlags(options) });
    if (options.json) {
      context.print(JSON.stringify(report, null, 2));
      return;
    }
    for (const warning of report.warnings) context.logger.warn(warning);
    context.print(report.dockerfile.trimEnd());
  },
});
