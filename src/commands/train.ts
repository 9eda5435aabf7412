import { defineCommand } from './define.js';
import { runHandler, trainOptions } from './run.js';

/** Upstream's hidden, deprecated `cog train`: a prediction against `/trainings` of the train entry point. */
export const trainCommand = defineCommand({
  name: 'train',
  arguments: '[image]',
  description: 'Run a training (deprecated)',
  deprecated: 'the train command will be removed in a future version of Cog',
  options: trainOptions,
  handler: runHandler('train', 'train'),
});
