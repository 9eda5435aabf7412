import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Config, LoadedConfig } from '../config/types.js';
import { UserError } from '../errors.js';

/**
 * The first stage of every command on a project: cog.yaml found and read, and the predictor's
 * schema read when the command needs one. Each is read once per command and handed on
 * (resolve.ts, plan.ts, build.ts); no later stage goes back to the files for them.
 */

/** What a command read of the project, handed to the stages after it. */
export interface Project extends LoadedConfig {
  /** The predictor's schema; undefined when the command needs none (`cog exec`, `cog debug`). */
  schema: PredictorSchema | undefined;
}

export interface PredictorSchema {
  /** The OpenAPI document as JSON text: the image's label and `.cog/openapi_schema.json`. */
  json: string;
  /** What the static reader noticed (a one-choice `choices=`), for the build's warnings. */
  warnings: string[];
}

/** cog.yaml, found from `cwd` upwards (or `-f`), read and checked: its config and warnings. */
export async function readProjectConfig(options: { cwd: string; configFile?: string | undefined }): Promise<LoadedConfig> {
  // Loaded on use: the config machinery (YAML, zod) costs `cog run IMAGE` a twentieth of a second for nothing.
  const [{ findConfigFile }, { loadConfig }] = await Promise.all([import('../config/find.js'), import('../config/load.js')]);
  return loadConfig(findConfigFile(options.cwd, options.configFile));
}

/** cog.yaml as `readProjectConfig` reads it, or undefined when there is none to find (an invalid one is still an error). */
export async function readProjectConfigIfAny(options: { cwd: string; configFile?: string | undefined }): Promise<LoadedConfig | undefined> {
  const [{ findConfigFile }, { loadConfig }] = await Promise.all([import('../config/find.js'), import('../config/load.js')]);
  let found;
  try {
    found = findConfigFile(options.cwd, options.configFile);
  } catch (error) {
    if (error instanceof UserError) return undefined;
    throw error;
  }
  return loadConfig(found);
}

/**
 * The predictor's schema: a given file (`--openapi-schema`, `COG_OPENAPI_SCHEMA`), checked to be
 * JSON, or read statically from the Python source. A config that names no predictor cannot be
 * built into a model, as upstream refuses it.
 */
export async function readPredictorSchema(config: Config, options: { file: string | undefined; cwd: string }): Promise<PredictorSchema> {
  if (options.file) {
    const file = path.resolve(options.cwd, options.file);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
      JSON.parse(text);
    } catch (error) {
      throw new UserError(`OpenAPI schema ${file} is not a readable JSON file: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    return { json: text.trim(), warnings: [] };
  }
  if (!config.predict && !config.train) {
    // Upstream's sentence, word for word; an image without a predictor serves nothing.
    throw new UserError(`no predict or train reference found in ${path.basename(config.file)}`, {
      hint: 'add run: "run.py:Runner" (or the older predict: "predict.py:Predictor") to cog.yaml; `cog exec` runs commands without one',
    });
  }
  // Loaded on use: the Python grammar is only needed when a command describes its predictor.
  const { generateSchemaJson } = await import('../schema/index.js');
  const warnings: string[] = [];
  const { json } = await generateSchemaJson({
    projectDir: config.projectDir,
    predict: config.predict,
    train: config.train,
    onWarning: (message) => warnings.push(message),
  });
  return { json, warnings };
}

/** cog.yaml and, when `schema` says so, the predictor's schema: the value `cog build` and `cog push` start from. */
export async function readProject(options: { cwd: string; configFile?: string | undefined; schema: false | { file: string | undefined } }): Promise<Project> {
  const loaded = await readProjectConfig(options);
  const schema = options.schema ? await readPredictorSchema(loaded.config, { file: options.schema.file, cwd: options.cwd }) : undefined;
  return { ...loaded, schema };
}
