import type { OptionSpec } from './define.js';

/**
 * Options several commands take, declared once so their flags and help read the same everywhere.
 * (The base-image flags and their parsing live in base-image-flags.ts.)
 */

export const configFileOption: OptionSpec = { flags: '-f, --file <path>', description: 'the name of the config file', defaultValue: 'cog.yaml' };

/** `--progress` for the dev build of run/serve/exec, as `cog build` takes it. */
export const progressOption: OptionSpec = {
  flags: '--progress <mode>',
  description: 'build output: auto, plain, tty, quiet or json (default: $BUILDKIT_PROGRESS, else auto)',
  choices: ['auto', 'plain', 'tty', 'quiet', 'json'],
};

export const gpusOption: OptionSpec = {
  flags: '--gpus <spec>',
  description: 'GPUs for the container: all, a number, or device=0,1 (default: all when cog.yaml has build.gpu: true)',
};

export const noCacheOption: OptionSpec = { flags: '--no-cache', description: 'do not use the build cache' };

export const secretOption: OptionSpec = {
  flags: '--secret <spec>',
  description: 'a build secret: id=NAME,src=FILE or id=NAME,env=VAR (repeatable)',
  repeatable: true,
};

export const separateWeightsOption: OptionSpec = {
  flags: '--separate-weights',
  description: 'keep weights out of the code layer (always on in cogpack; accepted for compatibility)',
};

export const jsonResultOption: OptionSpec = { flags: '--json', description: 'print the result as one JSON object on stdout (docs/cli-json.md)' };
