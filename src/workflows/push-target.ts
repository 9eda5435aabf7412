import { modelRepositoryProblem } from '../config/model-ref.js';
import { UserError } from '../errors.js';
import { readEnv, type Env } from '../settings/env.js';

/**
 * Where `cog push` pushes, as upstream decides it (spec push.md §1, "Model ref resolution"):
 *
 * - cog.yaml `model:` or any COG_MODEL* variable makes it a model push. COG_MODEL (a whole
 *   reference) wins outright; otherwise the registry is COG_MODEL_REGISTRY, else `model:`'s host,
 *   else r8.im; the repository COG_MODEL_REPO, else `model:`'s path; the tag COG_MODEL_TAG, else
 *   the time now, UTC, as `YYYYMMDDTHHMMSSZ`. Tags starting with `cog-` are upstream's own.
 *   An image argument is refused then (which would win is unclear), and so is `image:`.
 * - Otherwise the image argument, else cog.yaml `image:`.
 */
export interface PushTarget {
  /** `registry/repository:tag`. */
  image: string;
  /** What decided it, for --debug. */
  source: 'argument' | 'image' | 'model';
}

export interface PushTargetInput {
  argument: string | undefined;
  config: { image: string | undefined; model: string | undefined };
  env: Env;
  /** The clock for the timestamp tag. Default now. */
  now?: Date;
}

/** Upstream's prefix for the tags it writes itself (`cog-image.*`, `cog-weight.*`). */
const reservedTagPrefix = 'cog-';
const tagPattern = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
const modelVariables = ['COG_MODEL', 'COG_MODEL_REGISTRY', 'COG_MODEL_REPO', 'COG_MODEL_TAG'] as const;

export function resolvePushTarget(input: PushTargetInput): PushTarget {
  const { argument, config, env } = input;
  const model = resolveModelReference(config.model, env, input.now ?? new Date());
  if (model) {
    if (argument) {
      throw new UserError("positional image argument not supported with 'model' config", {
        hint: 'use COG_MODEL to override the full reference, or COG_MODEL_TAG to override just the tag',
      });
    }
    if (config.image) {
      throw new UserError("'image' in cog.yaml cannot be combined with COG_MODEL* env vars", {
        hint: `remove 'image' from cog.yaml (use 'model' instead), or unset ${modelVariables.join(', ')}`,
      });
    }
    return { image: model, source: 'model' };
  }
  if (argument) return { image: argument, source: 'argument' };
  if (config.image) return { image: config.image, source: 'image' };
  throw new UserError(
    "To push images, you must either set the 'image' option in cog.yaml or pass an image name as an argument. For example, 'cog push registry.example.com/your-username/hotdog-detector'",
    { hint: "or set 'model' in cog.yaml (or COG_MODEL) for a model push with a timestamp tag" },
  );
}

/** The model reference from cog.yaml and the COG_MODEL* variables, or undefined when neither names one. */
function resolveModelReference(configModel: string | undefined, env: Env, now: Date): string | undefined {
  const defaultRegistry = readEnv('COG_REGISTRY_HOST', env);
  const full = readEnv('COG_MODEL', env);
  if (full) {
    if (full.includes('@')) throw new UserError(`invalid COG_MODEL ${JSON.stringify(full)}: model push requires a tag`, { hint: 'give a tag (or none: a timestamp tag is made) instead of a digest' });
    const { repository, tag } = splitTag(full);
    checkRepository('COG_MODEL', repository);
    if (tag !== undefined) checkTag('COG_MODEL', tag);
    const withRegistry = hasRegistry(repository) ? repository : `${defaultRegistry}/${repository}`;
    return `${withRegistry}:${tag ?? timestampTag(now)}`;
  }
  const envRegistry = readEnv('COG_MODEL_REGISTRY', env);
  const envRepo = readEnv('COG_MODEL_REPO', env);
  const envTag = readEnv('COG_MODEL_TAG', env);
  if (envRegistry && /[/@]/.test(envRegistry)) {
    throw new UserError(`invalid COG_MODEL_REGISTRY ${JSON.stringify(envRegistry)}: must be a bare host (no path, tag, or digest)`);
  }
  if (envRepo && /[:@]/.test(envRepo)) {
    throw new UserError(`invalid COG_MODEL_REPO ${JSON.stringify(envRepo)}: must be a bare repository path (no host, tag, or digest)`);
  }
  if (envRepo) checkRepository('COG_MODEL_REPO', envRepo);
  if (envTag) checkTag('COG_MODEL_TAG', envTag);
  const base = configModel ? splitRegistry(configModel) : undefined;
  const repository = envRepo ?? base?.path;
  if (!repository) return undefined;
  return `${envRegistry ?? base?.registry ?? defaultRegistry}/${repository}:${envTag ?? timestampTag(now)}`;
}

/** `20260508T153042Z`: upstream's tag for a model push without one. */
export function timestampTag(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z').replaceAll(/[-:]/g, '');
}

function checkTag(variable: string, tag: string): void {
  if (tag.startsWith(reservedTagPrefix)) {
    throw new UserError(`invalid ${variable} ${JSON.stringify(tag)}: "${reservedTagPrefix}" is a reserved prefix — choose a different tag`);
  }
  if (!tagPattern.test(tag)) throw new UserError(`invalid ${variable} ${JSON.stringify(tag)}: must match OCI tag regex ${tagPattern.source}`);
}

function checkRepository(variable: string, repository: string): void {
  const problem = modelRepositoryProblem(repository);
  if (problem) throw new UserError(`invalid ${variable} ${JSON.stringify(repository)}: ${problem.message}`, { hint: problem.hint });
}

function splitTag(reference: string): { repository: string; tag: string | undefined } {
  const colon = reference.lastIndexOf(':');
  return colon > reference.lastIndexOf('/') ? { repository: reference.slice(0, colon), tag: reference.slice(colon + 1) } : { repository: reference, tag: undefined };
}

/** A first path component with a dot or a port, or `localhost`, is a registry host, as Docker reads it. */
function hasRegistry(repository: string): boolean {
  const [first, ...rest] = repository.split('/');
  return rest.length > 0 && first !== undefined && (first.includes('.') || first.includes(':') || first === 'localhost');
}

function splitRegistry(repository: string): { registry: string | undefined; path: string } {
  if (!hasRegistry(repository)) return { registry: undefined, path: repository };
  const slash = repository.indexOf('/');
  return { registry: repository.slice(0, slash), path: repository.slice(slash + 1) };
}
