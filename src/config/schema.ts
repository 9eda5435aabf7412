import { z } from 'zod';

/**
 * The shape of cog.yaml (spec cog-yaml.md §2). Versions are accepted as numbers too because
 * `python_version: 3.11` is a YAML float; the loader reads their source text (3.10 stays "3.10").
 */
const versionLike = z.union([z.string(), z.number()]);
const stringList = z.array(z.string()).nullish();

const runMount = z.object({
  type: z.literal('secret', { error: 'mount type must be "secret"' }),
  id: z.string().min(1),
  target: z.string().min(1),
});

const runItem = z.union([
  z.string(),
  z.object({ command: z.string().min(1), mounts: z.array(runMount).nullish() }),
]);

export const buildSchema = z.object({
  python_version: versionLike.optional(),
  gpu: z.boolean().optional(),
  cuda: versionLike.optional(),
  cudnn: versionLike.optional(),
  python_requirements: z.string().optional(),
  python_packages: stringList,
  system_packages: stringList,
  run: z.array(runItem).nullish(),
  pre_install: stringList,
  sdk_version: versionLike.optional(),
});

export const configFileSchema = z.object({
  build: buildSchema.nullish(),
  run: z.string().optional(),
  predict: z.string().optional(),
  train: z.string().optional(),
  image: z.string().optional(),
  model: z.string().optional(),
  environment: stringList,
  concurrency: z.object({ max: z.number().int() }).nullish(),
});

export type ConfigFile = z.infer<typeof configFileSchema>;
