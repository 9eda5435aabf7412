import { defineCommand } from './define.js';
import { runCommand, runHandler } from './run.js';

/** Upstream's deprecated alias of `cog run` (renamed in Cog 0.20): same flags, same behaviour, a warning. */
export const predictCommand = defineCommand({
  ...runCommand,
  name: 'predict',
  description: 'Run a prediction (deprecated, use cog run)',
  handler: async (args, options, context) => {
    context.logger.warn('"cog predict" is deprecated, use "cog run"');
    await runHandler('predict', 'predict')(args, options, context);
  },
});
