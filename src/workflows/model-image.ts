import { inspectImage } from '../docker/engine.js';
import type { DockerCli } from '../docker/process.js';
import { defaultImageName } from '../config/image-name.js';
import type { ProgressMode } from '../engine/argv.js';
import { UserError } from '../errors.js';
import { parseSchemaDocument, type SchemaNode } from '../predict/schema.js';
import type { Env } from '../settings/env.js';
import type { Logger } from '../ui/logger.js';
import type { Project } from './project.js';
import type { BaseImageFlags } from './resolve.js';

/**
 * The image a run command uses, by upstream's two flows (predict.md §1.3, §1.4): a dev image built
 * from cog.yaml with the project mounted at /src, or a prebuilt image described by its labels.
 */
export interface ModelImage {
  image: string;
  /** The project to mount at /src (cog.yaml flow); undefined for a prebuilt image. */
  projectDir: string | undefined;
  /** `build.gpu`: GPUs are requested (`--gpus all`) unless `--gpus` says otherwise. */
  gpu: boolean;
  /** The OpenAPI document, when known before the container starts. */
  schema: SchemaNode | undefined;
}

/**
 * The dev image's name: the project's default name with a `dev` tag, so `cog run` never replaces
 * the image `cog build` made (upstream reuses `cog-<dir>` for both).
 */
export function devImageName(projectDir: string): string {
  return `${defaultImageName(projectDir)}:dev`;
}

export interface DevBuildOptions extends BaseImageFlags {
  cwd: string;
  env: Env;
  progress?: ProgressMode | undefined;
  logger: Logger;
  docker: DockerCli;
  signal?: AbortSignal | undefined;
}

/**
 * Builds the dev image of a project the command has read: every layer of `cog build` but the code
 * (mounted instead), no labels, no pip freeze. The project's schema, when it has one, lands in
 * `<project>/.cog/openapi_schema.json`, which the mount puts where the runtime reads it
 * (`/src/.cog/openapi_schema.json`).
 */
export async function buildDevImage(options: DevBuildOptions, project: Project): Promise<string> {
  // Loaded on use: the build machinery is not needed for a prebuilt image.
  const { buildModel } = await import('./build.js');
  const result = await buildModel({
    cwd: options.cwd,
    project,
    tag: devImageName(project.config.projectDir),
    progress: options.progress,
    useCogBaseImage: options.useCogBaseImage,
    useCudaBaseImage: options.useCudaBaseImage,
    env: options.env,
    logger: options.logger,
    docker: options.docker,
    signal: options.signal,
    dev: true,
  });
  return result.image;
}

/**
 * A prebuilt image: present locally, else pulled; a Cog model only when it carries `run.cog.config`
 * (as upstream; dev images, which have no labels, are refused too). Its schema label is used when
 * it has an input component; otherwise the schema is read from the running container.
 */
export async function prebuiltModelImage(options: { image: string; docker: DockerCli; logger: Logger; signal?: AbortSignal | undefined }): Promise<ModelImage> {
  const { image, docker, logger } = options;
  if (image.includes('=')) throw new UserError(`Invalid image name '${image}'. Did you forget \`-i\`?`);
  let info = await inspectImage(docker, image).catch(() => undefined);
  if (!info) {
    logger.info('run', `pulling ${image}`);
    const pulled = await docker.run(['pull', image], { signal: options.signal });
    if (pulled.exitCode !== 0) {
      throw new UserError(`Failed to pull image "${image}": ${pulled.stderrTail.filter((l) => l.trim()).at(-1) ?? 'docker pull failed'}`);
    }
    info = await inspectImage(docker, image);
  }
  const configLabel = info.labels['run.cog.config'];
  if (configLabel === undefined) throw new UserError(`${image}: image is not a Cog model`, { hint: 'build it with `cog build`, or run `cog run` in the project directory' });
  const config = parseSchemaDocument(configLabel);
  const build = config?.build;
  const gpu = typeof build === 'object' && build !== null && (build as Record<string, unknown>).gpu === true;
  return { image, projectDir: undefined, gpu, schema: parseSchemaDocument(info.labels['run.cog.openapi_schema']) };
}
