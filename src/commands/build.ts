import type { ProgressMode } from '../engine/argv.js';
import { baseImageOptions, readBaseImageFlags } from './base-image-flags.js';
import type { CommandDefinition } from './define.js';
import { formatBytes } from '../ui/format.js';

export const buildCommand: CommandDefinition = {
  name: 'build',
  description: 'Build an image from cog.yaml',
  options: [
    { flags: '-t, --tag <name>', description: 'a name for the built image (default: cog.yaml image, else cog-<dirname>)' },
    { flags: '-f, --file <path>', description: 'the name of the config file', defaultValue: 'cog.yaml' },
    { flags: '--no-cache', description: 'do not use the build cache' },
    { flags: '--secret <spec>', description: 'a build secret: id=NAME,src=FILE or id=NAME,env=VAR (repeatable)', repeatable: true },
    {
      flags: '--progress <mode>',
      description: 'BuildKit progress output (default: $BUILDKIT_PROGRESS, else auto)',
      choices: ['auto', 'plain', 'tty', 'quiet'],
    },
    { flags: '--builder <name>', description: 'a named buildx builder (remote drivers included)' },
    ...baseImageOptions,
  ],
  handler: async (_args, options, context) => {
    const progress = (options.progress as ProgressMode | undefined) ?? (process.env.BUILDKIT_PROGRESS as ProgressMode | undefined);
    // Loaded on use: `cog --help` and other commands stay fast.
    const { buildModel } = await import('../workflows/build.js');
    const result = await buildModel({
      cwd: context.cwd,
      configFile: options.file as string,
      tag: options.tag as string | undefined,
      noCache: options.cache === false,
      progress,
      secrets: options.secret as string[] | undefined,
      builder: options.builder as string | undefined,
      ...readBaseImageFlags(options),
      logger: context.logger,
      signal: context.signal,
    });
    context.print(`Image built as ${result.image} (${formatBytes(result.size)})`);
  },
};
