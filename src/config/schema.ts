import { z } from 'zod';
import { environmentEntryPattern, environmentEntryProblem } from './environment.js';
import { parseYamlBoolean, parseYamlInteger } from './scalars.js';

/**
 * The shape of cog.yaml (spec cog-yaml.md §2), checked against the plain tree of yaml-tree.ts, in
 * which every scalar is its written text: a string field takes any scalar as written, a boolean
 * or integer field reads the text. Rules that span fields live in rules.ts; this file is also the
 * source of the published JSON Schema (json-schema.ts), hence the descriptions.
 */

export const pythonVersionRequired =
  'python_version is required. Add it to the build section of your cog.yaml, e.g. `python_version: "3.13"`';

/** String schemas whose YAML value may be written as a bare number (`3.12`); the JSON Schema says so. */
export const numberAllowed = new WeakSet<z.core.$ZodType>();

/** A type error for a scalar field, leaving "is required" to the default message. */
const unlessMissing = (message: string) => (issue: { input?: unknown }) =>
  issue.input === undefined || issue.input === null ? undefined : message;

function versionText(description: string, requiredMessage?: string) {
  const notAVersion = unlessMissing('must be a version such as "3.12", not a list or a mapping');
  const base = z.string({ error: (issue) => notAVersion(issue) ?? requiredMessage });
  const schema = (requiredMessage ? base.min(1, requiredMessage) : base).describe(description);
  numberAllowed.add(schema);
  return schema;
}

/** `true`/`false` and the YAML 1.1 spellings upstream accepts (`yes`, `no`, `on`, `off`, `y`, `n`). */
const yamlBoolean = z
  .string({ error: unlessMissing('must be true or false') })
  .transform((text, ctx) => {
    const value = parseYamlBoolean(text);
    if (value === undefined) {
      ctx.issues.push({ code: 'custom', input: text, message: `must be true or false, not ${JSON.stringify(text)}` });
      return z.NEVER;
    }
    return value;
  })
  .pipe(z.boolean());

const yamlInteger = z
  .string({ error: unlessMissing('must be a whole number') })
  .transform((text, ctx) => {
    const value = parseYamlInteger(text);
    if (value === undefined) {
      ctx.issues.push({ code: 'custom', input: text, message: `must be a whole number, not ${JSON.stringify(text)}` });
      return z.NEVER;
    }
    return value;
  })
  .pipe(z.int());

/** A list of strings where an empty item (`-` alone) is tolerated, as upstream reads it as "". */
const lenientStringList = (description: string) => z.array(z.string().nullable()).nullish().describe(description);

const runMount = z.object({
  type: z.literal('secret', { error: unlessMissing('must be "secret", the only mount type cog supports') }),
  id: z.string().min(1).describe('The secret id, as passed to `cog build --secret id=<id>,src=<file>`.'),
  target: z.string().min(1).describe('Where the secret file appears while the command runs.'),
});

const runCommand = z.object({
  command: z.string().min(1),
  mounts: z.array(runMount).nullish(),
});

export const buildSchema = z
  .object({
    python_version: versionText('The minor (`3.13`) or patch (`3.13.1`) version of Python to use.', pythonVersionRequired),
    gpu: yamlBoolean
      .nullish()
      .describe('Enable GPUs for this model: the CUDA base image is used and CUDA/cuDNN versions are picked to match your frameworks.'),
    cuda: versionText('Override the CUDA version cog picks (e.g. "12.4").').nullish(),
    cudnn: versionText('Override the cuDNN version cog picks (e.g. "9").').nullish(),
    python_requirements: z
      .string()
      .nullish()
      .describe('A pip requirements file (relative to the project directory) with the Python packages to install.'),
    python_packages: lenientStringList('Deprecated: Python packages in the format `package==version`. Use python_requirements.'),
    system_packages: lenientStringList('A list of Ubuntu APT packages to install.'),
    run: z
      .array(z.union([z.string(), runCommand]))
      .nullish()
      .describe('Setup commands run after system and Python packages are installed, like a Dockerfile RUN.'),
    pre_install: lenientStringList('Deprecated: setup commands; they run after build.run. Use build.run.'),
    sdk_version: versionText('Pin the cog Python SDK version installed in the image (e.g. "0.18.0"), or "prerelease".').nullish(),
  })
  .describe('How to build the Docker image your model runs in.');

const concurrencySchema = z
  .object({
    max: yamlInteger.describe('Deprecated: the maximum number of concurrent predictions. Use @cog.concurrent(max=...).'),
    // Schema-only upstream (its Go struct has no such field), so a value that is not a number is
    // ignored rather than refused; rules.ts warns about it.
    default_target: yamlInteger
      .nullish()
      .catch(undefined)
      .describe('The target number of concurrent predictions for an autoscaler. Not used by cog.'),
  })
  .describe('The concurrency settings for the model.');

const environmentEntry = z.string().regex(environmentEntryPattern, {
  // zod carries one string: the hint rides on a second line, split off again by shape.ts.
  error: (issue) => {
    const problem = typeof issue.input === 'string' ? environmentEntryProblem(issue.input) : undefined;
    return problem && (problem.hint ? `${problem.message}\n${problem.hint}` : problem.message);
  },
});

const weightNamePattern = /^[a-z0-9]+([._-][a-z0-9]+)*$/;

const weightPatterns = (description: string) => z.array(z.string()).nullish().describe(description);

const weightSource = z
  .object({
    uri: z
      .string()
      .min(1)
      .describe('Where to import from: hf:// (Hugging Face Hub), file:// (a local directory), https://, or a bare local path.'),
    include: weightPatterns('Glob patterns of files to include (allowlist).'),
    exclude: weightPatterns('Glob patterns of files to skip.'),
  })
  .meta({ id: 'weightSourceConfig', description: 'One source of weight files.' });

const weightSchema = z.object({
  name: z
    .string()
    .regex(weightNamePattern, {
      error: (issue) =>
        issue.input === ''
          ? 'must not be empty'
          : 'must contain only lowercase letters and digits, with single . _ or - between them (e.g. "base-model")',
    })
    .describe('A unique identifier for this weight entry.'),
  target: z.string().min(1).describe('Absolute path where the weights appear in the container.'),
  source: z
    .union([weightSource, z.array(weightSource).min(1)])
    .describe('A single source, or a list of sources for weights merged from several places.'),
});

/** `file.py:ClassName`; the format itself is checked by rules.ts with upstream's messages. */
const entryPoint = (example: string, description: string) =>
  z.string({ error: unlessMissing(`must be a string such as '${example}'`) }).nullish().describe(description);

export const configFileSchema = z
  .object({
    build: buildSchema.nullish(),
    run: entryPoint('run.py:Runner', 'The Runner of your model, as `file.py:ClassName` (e.g. `run.py:Runner`).'),
    predict: entryPoint('predict.py:Predictor', 'Deprecated name of run.'),
    train: entryPoint('train.py:Trainer', 'The training entry point, as `file.py:ClassName` (e.g. `train.py:Trainer`).'),
    image: z.string().nullish().describe('The name given to built images, including the registry to push to.'),
    model: z
      .string()
      .nullish()
      .describe("The repository this model's image and weights are pushed to: no tag or digest."),
    concurrency: concurrencySchema.nullish(),
    environment: z
      .array(environmentEntry)
      .nullish()
      .describe('Environment variables set during the build and at runtime, as `NAME=value`.'),
    weights: z.array(weightSchema).nullish().describe('Weight directories delivered alongside the model image.'),
  })
  .describe('Defines how to build a Docker image and how to run predictions on your model inside that image.');

export type ConfigFile = z.output<typeof configFileSchema>;
export type BuildFile = z.output<typeof buildSchema>;
export type WeightFile = z.output<typeof weightSchema>;
export type RunItemFile = NonNullable<BuildFile['run']>[number];
