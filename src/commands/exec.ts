import { CancelledError, UserError } from '../errors.js';
import { defineCommand } from './define.js';
import { baseImageFlags, baseImageOptions, configFileOption, containerEnvOption, gpusOption, progressOption, publishOption } from './shared-options.js';

export const execCommand = defineCommand({
  name: 'exec',
  arguments: '<command...>',
  description: "Run a command inside the model's environment, with the project mounted at /src",
  // Upstream stops reading its own flags at the command: `cog exec python -c …` passes -c on.
  passThroughOptions: true,
  options: {
    env: containerEnvOption,
    publish: publishOption,
    gpus: gpusOption,
    file: configFileOption,
    progress: progressOption(),
    ...baseImageOptions,
  },
  handler: async (args, options, context) => {
    const { execInModel } = await import('../workflows/exec.js');
    const result = await execInModel({
      cwd: context.cwd,
      configFile: options.file,
      command: args,
      env: options.env ?? [],
      publish: options.publish ?? [],
      gpus: options.gpus,
      progress: options.progress,
      ...baseImageFlags(options),
      hostEnv: context.env,
      logger: context.logger,
      signal: context.signal,
    });
    if (result.interrupted) throw new CancelledError('interrupted: the container was stopped and removed');
    // The command's own status is cog's (upstream exits 1 for any failure).
    if (result.exitCode !== 0) throw new UserError(`${args.join(' ')} exited with status ${result.exitCode}`, { exitCode: result.exitCode });
  },
});
