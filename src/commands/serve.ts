import type { ProgressMode } from '../engine/argv.js';
import { UserError } from '../errors.js';
import { baseImageOptions, readBaseImageFlags } from './base-image-flags.js';
import type { CommandDefinition } from './define.js';
import { configFileOption, gpusOption, progressOption } from './shared-options.js';

export const serveCommand: CommandDefinition = {
  name: 'serve',
  description: 'Run the HTTP prediction server of the project in this directory, in the foreground',
  options: [
    { flags: '-p, --port <port>', description: 'the host port to serve on', defaultValue: '8393' },
    { flags: '--host <address>', description: 'the host address to publish the port on', defaultValue: '127.0.0.1' },
    { flags: '--upload-url <url>', description: 'where the server uploads file outputs (PUT), instead of returning them inline' },
    gpusOption,
    configFileOption,
    progressOption,
    ...baseImageOptions,
  ],
  handler: async (_args, options, context) => {
    const port = String(options.port);
    if (!/^\d+$/.test(port)) throw new UserError(`--port takes a number, not "${port}"`, { exitCode: 2 });
    const { serveModel } = await import('../workflows/serve.js');
    await serveModel({
      cwd: context.cwd,
      configFile: options.file as string | undefined,
      port: Number(port),
      host: options.host as string | undefined,
      uploadUrl: options.uploadUrl as string | undefined,
      gpus: options.gpus as string | undefined,
      progress: (options.progress as ProgressMode | undefined) ?? (process.env.BUILDKIT_PROGRESS as ProgressMode | undefined),
      ...readBaseImageFlags(options),
      logger: context.logger,
      signal: context.signal,
    });
  },
};
