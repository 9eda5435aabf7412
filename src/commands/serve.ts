import { count, text } from '../settings/values.js';
import { settingKinds } from '../settings/variables.js';
import { defineCommand } from './define.js';
import { option } from './options.js';
import { baseImageFlags, baseImageOptions, configFileOption, gpusOption, progressOption } from './shared-options.js';

export const serveCommand = defineCommand({
  name: 'serve',
  description: 'Run the HTTP prediction server of the project in this directory, in the foreground',
  options: {
    port: option({ flags: '-p, --port <port>', description: 'the host port to serve on', kind: count({ min: 1, max: 65535 }, 'a number from 1 to 65535'), defaultValue: '8393' }),
    host: option({ flags: '--host <address>', description: 'the host address to publish the port on', kind: text(), defaultValue: '127.0.0.1' }),
    uploadUrl: option({ flags: '--upload-url <url>', description: 'where the server uploads file outputs (PUT), instead of returning them inline', kind: text() }),
    gpus: gpusOption,
    file: configFileOption,
    progress: progressOption(),
    ...baseImageOptions,
    openapiSchema: option({ kind: settingKinds.schemaFile, env: 'COG_OPENAPI_SCHEMA' }),
  },
  handler: async (_args, options, context) => {
    const { serveModel } = await import('../workflows/serve.js');
    await serveModel({
      cwd: context.cwd,
      configFile: options.file,
      port: options.port,
      host: options.host,
      uploadUrl: options.uploadUrl,
      gpus: options.gpus,
      progress: options.progress,
      openapiSchemaFile: options.openapiSchema,
      ...baseImageFlags(options),
      hostEnv: context.env,
      logger: context.logger,
      signal: context.signal,
    });
  },
});
