import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { createDockerCli, dockerBinary, type DockerCli } from '../docker/process.js';
import type { ProgressMode } from '../engine/argv.js';
import { UserError } from '../errors.js';
import { createPrediction, fetchSchema } from '../predict/client.js';
import { containerName, projectMount, type ContainerSpec } from '../predict/container.js';
import { checkInputNames, validateInputs } from '../predict/validate.js';
import { materializeFlagInputs, materializeJsonInputs, parseInputFlags, readJsonInputs, type InputFiles } from '../predict/inputs.js';
import { chooseOutputPath } from '../predict/outputs.js';
import { ResultPrinter, type RunResult } from '../predict/results.js';
import { inputComponent, parseSchemaDocument, supportsStreaming, type RunMode, type SchemaNode } from '../predict/schema.js';
import { withModelContainer } from '../predict/session.js';
import { processEnv, readEnv, type Env } from '../settings/env.js';
import { Logger } from '../ui/logger.js';
import { buildDevImage, prebuiltModelImage, type ModelImage } from './model-image.js';
import { readPredictorSchema, readProjectConfig, type Project } from './project.js';
import type { BaseImageFlags } from './resolve.js';

export interface RunModelOptions extends BaseImageFlags {
  cwd: string;
  /** A prebuilt image (`cog run IMAGE`); default: build the project in `cwd` and mount it. */
  image?: string | undefined;
  /** Config file (`-f`). Default `cog.yaml`. */
  configFile?: string | undefined;
  /** `-i name=value` / `-i name=@file`, in order. */
  inputs?: string[];
  /** `--json`: inline JSON, `@file`, `@-` or `-`. */
  json?: string | undefined;
  /** `-o`: where outputs go. Default `output` (`output.json` with --json; `weights` for train). */
  output?: string | undefined;
  /** `-e NAME=value` for the container, in order. */
  env?: string[];
  /** `--gpus` (checked at the command line). Default `all` when the model has `build.gpu`. */
  gpus?: string | undefined;
  /** `--setup-timeout` in seconds. Default 300. */
  setupTimeoutSeconds?: number;
  /** `--use-replicate-token`: send $REPLICATE_API_TOKEN in the request context. Default false. */
  useReplicateToken?: boolean;
  /** `predict` (`cog run`, `cog predict`) or `train` (`cog train`). Default predict. */
  mode?: RunMode;
  /** The command the user typed, for messages. Default `run`. */
  commandName?: string;
  progress?: ProgressMode | undefined;
  /** COG_OPENAPI_SCHEMA: a schema file to use instead of reading the predictor. */
  openapiSchemaFile?: string | undefined;
  /** `--debug`: the runtime logs at debug level too. Default false. */
  debug?: boolean;
  /** The host environment (RUST_LOG, REPLICATE_API_TOKEN, and the build's). Default the process's. */
  hostEnv?: Env;
  /** Reads stdin for `--json -`. */
  readStdin?: () => Promise<string>;
  /** One line of results on stdout. */
  print: (line: string) => void;
  /** Raw text on stdout (streamed chunks). Default: through `print`. */
  write?: (text: string) => void;
  logger?: Logger;
  docker?: DockerCli;
  /** Ctrl-C/SIGTERM: cancels the prediction and removes the container. */
  signal?: AbortSignal;
}

/** `cog run`, `cog predict` and `cog train`: one prediction against the real runtime in a container that is always removed. */
export async function runModel(options: RunModelOptions): Promise<RunResult> {
  const logger = options.logger ?? new Logger();
  const hostEnv = options.hostEnv ?? processEnv();
  const docker = options.docker ?? createDockerCli(dockerBinary(hostEnv));
  const mode = options.mode ?? 'predict';
  const commandName = options.commandName ?? 'run';
  if (options.json !== undefined && (options.inputs?.length ?? 0) > 0) throw new UserError('Must use one of --json or --input to provide model inputs');
  const context = replicateContext(options.useReplicateToken ?? false, hostEnv);
  const files: InputFiles = { cwd: options.cwd, readStdin: options.readStdin };

  // Everything the user can get wrong is checked before Docker is touched.
  let model: ModelImage;
  let project: Project | undefined;
  if (options.image) {
    model = await prebuiltModelImage({ image: options.image, docker, logger, signal: options.signal });
  } else {
    project = await readRunnableProject(options, mode);
    model = { image: '', projectDir: project.config.projectDir, gpu: project.config.build.gpu, schema: schemaDocument(project) };
  }
  const inputs = await prepareInputs(options, model.schema, mode, files);
  const destination = chooseOutputPath(options.output, options.json !== undefined ? 'output.json' : 'output', options.cwd);
  if (options.json !== undefined && options.output && path.extname(destination) !== '.json') {
    logger.warn(`--output value does not have a .json suffix: ${path.basename(destination)}`);
  }
  // The dev build takes the project as read here: cog.yaml and the predictor are not read again.
  if (project) model.image = await buildDevImage({ ...options, logger, docker, env: hostEnv }, project);

  const mount = model.projectDir ? projectMount(model.projectDir) : { volumes: [], env: [] };
  const spec: ContainerSpec = {
    image: model.image,
    name: containerName(commandName),
    // The user's -e comes after ours: the engine keeps the last value of a name.
    env: [...mount.env, ...runtimeEnv(options.env ?? [], hostEnv, options.debug ?? false)],
    gpus: options.gpus || (model.gpu ? 'all' : undefined),
    volumes: mount.volumes,
    command: mode === 'train' ? ['python', '-m', 'cog.server.http', '--x-mode', 'train'] : undefined,
  };
  logger.info('run', `Starting Docker image ${model.image} and running setup()...`);
  const setupTimeoutMs = (options.setupTimeoutSeconds ?? 300) * 1000;
  return withModelContainer({ docker, spec, mode, setupTimeoutMs, logger, signal: options.signal }, async (ready) => {
    // An image without a usable schema label: what the runtime serves, as upstream.
    const document = inputs.kind === 'checked' ? model.schema : ((await fetchSchema(ready.port)) ?? model.schema);
    const input = await prepareLate(inputs, document, mode, files);
    const printer = new ResultPrinter({
      document,
      mode,
      json: options.json !== undefined,
      destination,
      writeToDisk: Boolean(options.output),
      cwd: options.cwd,
      print: options.print,
      write: options.write ?? ((text) => options.print(text)),
      logger,
    });
    const stream = document !== undefined && supportsStreaming(document, mode);
    logger.info('run', mode === 'train' ? 'Running training...' : 'Running prediction...');
    const response = await createPrediction({
      port: ready.port,
      mode,
      id: `cogpack-${randomUUID()}`,
      input,
      context,
      stream,
      onOutput: (chunk, index) => printer.chunk(chunk, index),
      onLog: (_source, text) => printer.log(text),
      commandName,
      signal: options.signal,
    });
    return printer.finish(response, { logsShown: stream });
  });
}

/** cog.yaml, with the entry point `mode` runs, and the predictor's schema (a given file, else read statically). */
async function readRunnableProject(options: RunModelOptions, mode: RunMode): Promise<Project> {
  const loaded = await readProjectConfig({ cwd: options.cwd, configFile: options.configFile });
  const { config } = loaded;
  if (mode === 'train' ? !config.train : !config.predict) {
    throw new UserError(`${path.basename(config.file)} has no ${mode === 'train' ? '`train`' : '`run` (or `predict`)'} entry: there is nothing to run`, {
      hint: mode === 'train' ? 'add train: "train.py:train"' : 'add run: "predict.py:Predictor"',
    });
  }
  const schema = await readPredictorSchema(config, { file: options.openapiSchemaFile, cwd: options.cwd });
  return { ...loaded, schema };
}

/** The project's schema as a document, to check inputs against before any container starts. */
function schemaDocument(project: Project): SchemaNode {
  const document = project.schema && parseSchemaDocument(project.schema.json);
  if (!document) throw new UserError('the OpenAPI schema is not a JSON object', { hint: 'check the file COG_OPENAPI_SCHEMA names' });
  return document;
}

/**
 * The request's input object. Checked against the schema when there is one, as upstream orders
 * it: names first (no file is read for a misspelt input), then files, then values. Without a
 * schema (an image whose label has none), `-i` values wait as text for the container's schema.
 */
type PreparedInputs =
  | { kind: 'checked'; values: Record<string, unknown> }
  | { kind: 'unchecked'; values: Record<string, unknown> }
  | { kind: 'flags'; grouped: Map<string, string[]> };

async function prepareInputs(options: RunModelOptions, document: SchemaNode | undefined, mode: RunMode, files: InputFiles): Promise<PreparedInputs> {
  const component = document ? inputComponent(document, mode) : undefined;
  let values: Record<string, unknown>;
  if (options.json !== undefined) {
    const raw = await readJsonInputs(options.json, files);
    if (component) checkInputNames(Object.keys(raw), component);
    values = await materializeJsonInputs(raw, files);
  } else {
    const grouped = parseInputFlags(options.inputs ?? []);
    if (!component) return { kind: 'flags', grouped };
    checkInputNames(grouped.keys(), component);
    values = await materializeFlagInputs(grouped, { ...files, document, component });
  }
  if (!component) return { kind: 'unchecked', values };
  validateInputs(values, component, document!);
  return { kind: 'checked', values };
}

/** Inputs checked once the container's schema is known (a prebuilt image without a usable label). */
async function prepareLate(prepared: PreparedInputs, document: SchemaNode | undefined, mode: RunMode, files: InputFiles): Promise<Record<string, unknown>> {
  if (prepared.kind === 'checked') return prepared.values;
  const component = document ? inputComponent(document, mode) : undefined;
  if (component) checkInputNames(prepared.kind === 'flags' ? prepared.grouped.keys() : Object.keys(prepared.values), component);
  const values = prepared.kind === 'flags' ? await materializeFlagInputs(prepared.grouped, { ...files, document, component }) : prepared.values;
  if (component) validateInputs(values, component, document!);
  return values;
}

/** Upstream's container environment (predict.md §1.6): the user's `-e`, RUST_LOG from the host, console logs at warning (debug with --debug). */
export function runtimeEnv(userEnv: string[], hostEnv: Env, debug: boolean): string[] {
  const rustLog = readEnv('RUST_LOG', hostEnv);
  return [
    ...userEnv,
    ...(rustLog ? [`RUST_LOG=${rustLog}`] : []),
    'LOG_FORMAT=console',
    `COG_LOG_LEVEL=${debug ? 'debug' : 'warning'}`,
  ];
}

function replicateContext(use: boolean, env: Env): Record<string, string> {
  if (!use) return {};
  const token = readEnv('REPLICATE_API_TOKEN', env);
  if (!token) throw new UserError('Failed to find REPLICATE_API_TOKEN in the current environment when called with --use-replicate-token');
  return { replicate_api_token: token };
}
