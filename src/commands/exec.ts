import type { ProgressMode } from '../engine/argv.js';
import { UserError, type ExitCode } from '../errors.js';
import { baseImageOptions, readBaseImageFlags } from './base-image-flags.js';
import type { CommandDefinition } from './define.js';
import { configFileOption, gpusOption, progressOption } from './shared-options.js';

export const execCommand: CommandDefinition = {
  name: 'exec',
  arguments: '<command...>',
  description: "Run a command inside the model's environment, with the project mounted at /src",
  // Upstream stops reading its own flags at the command: `cog exec python -c …` passes -c on.
  passThroughOptions: true,
  options: [
    { flags: '-e, --env <name=value>', description: 'an environment variable for the container (repeatable)', repeatable: true },
    { flags: '-p, --publish <port>', description: 'publish a port: PORT or HOST:PORT, the same port inside (repeatable)', repeatable: true },
    gpusOption,
    configFileOption,
    progressOption,
    ...baseImageOptions,
  ],
  handler: async (args, options, context) => {
    const { execInModel } = await import('../workflows/exec.js');
    const result = await execInModel({
      cwd: context.cwd,
      configFile: options.file as string | undefined,
      command: args,
      env: (options.env as string[] | undefined) ?? [],
      publish: (options.publish as string[] | undefined) ?? [],
      gpus: options.gpus as string | undefined,
      progress: (options.progress as ProgressMode | undefined) ?? (process.env.BUILDKIT_PROGRESS as ProgressMode | undefined),
      ...readBaseImageFlags(options),
      logger: context.logger,
      signal: context.signal,
    });
    if (result.interrupted) throw new UserError('interrupted: the container was stopped and removed', { exitCode: 130 as ExitCode });
    // The command's own status is cog's (upstream exits 1 for any failure).
    if (result.exitCode !== 0) throw new UserError(`${args.join(' ')} exited with status ${result.exitCode}`, { exitCode: result.exitCode as ExitCode });
  },
};
