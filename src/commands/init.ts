import { defineCommand } from './define.js';

export const initCommand = defineCommand({
  name: 'init',
  description: 'Create a cog.yaml, run.py and the rest of a Cog project in the current directory',
  options: {},
  handler: async (_args, _options, context) => {
    const { initProject } = await import('../workflows/init.js');
    const result = initProject({ cwd: context.cwd });
    for (const file of result.skipped) context.logger.warn(`${file} already exists, left as it is`);
    for (const file of result.written) context.logger.say(`Wrote ${file}`);
    if (result.written.length > 0) {
      context.logger.say('\nNext: `cog build` to build the image, `cog run -i image=@photo.jpg` to try it, `cog push REGISTRY/NAME` to ship it.');
    }
  },
});
