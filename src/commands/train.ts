import type { CommandDefinition } from './define.js';
import { runHandler, trainOptions } from './run.js';

/** Upstream's hidden, deprecated `cog train`: a prediction against `/trainings` of the train entry point. */
export const trainCommand: CommandDefinition = {
  name: 'train',
  arguments: '[image]',
  description: 'Run a training (deprecated)',
  options: trainOptions,
  handler: async (args, options, context) => {
    context.logger.warn('Command "train" is deprecated');
    await runHandler('train', 'train')(args, options, context);
  },
};
