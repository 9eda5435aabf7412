import { choice, count, seconds, size, text, type ValueKind } from './values.js';

/**
 * Every environment variable cogpack reads: its kind (how it is read), its default, and what it
 * does. Nothing else in src/ reads the environment by name (a unit test checks that); README.md's
 * table and docs/environment.md are generated from this list (a unit test keeps them current).
 *
 * A variable that stands in for a flag (`COG_PUSH_CONCURRENCY` for `--concurrency`) is named by
 * that flag's declaration (commands/*.ts, `env:`), and its value goes through the flag's kind.
 */
export interface Variable<T = unknown> {
  readonly kind: ValueKind<T>;
  readonly group: VariableGroup;
  /** What it does: one or two sentences, for the docs. */
  readonly description: string;
  /** The value used when unset or empty, as text `kind` reads (documented and used alike). */
  readonly default?: string;
  /** The default in words, when it is not one fixed value (`~/.cache/cogpack`). */
  readonly defaultText?: string;
  /** A bad value is ignored (as if unset, and said with --debug), as upstream ignores it. Default: a usage error. */
  readonly whenInvalid?: 'ignore';
  /** Also listed in README.md's table: the knobs users reach for. */
  readonly readme?: boolean;
}

export type VariableGroup = 'engine' | 'build' | 'run' | 'push' | 'login' | 'cache' | 'terminal' | 'internal';

/** The docs' heading of each group, in the docs' order. */
export const variableGroups: Record<VariableGroup, string> = {
  engine: 'The engine',
  build: 'Building',
  run: 'Running',
  push: 'Pushing',
  login: 'Logging in',
  cache: 'Caches',
  terminal: 'The terminal and CI',
  internal: 'Set by cogpack itself',
};

/** A variable that is set or not: any non-empty value is "set". */
function presence(): ValueKind<boolean> {
  return { name: 'switch', expects: 'any value (set) or nothing', read: (raw) => typeof raw === 'string' && raw !== '' };
}

const path = (what = 'a path') => text(what);

/** Upper bound of a chunk: one chunk buffer is allocated whole. */
const maxChunkBytes = 4 * 1024 ** 3;
/** Node's timers take at most 2^31 - 1 ms. */
const maxTimerSeconds = 2_147_483;

export const progressModes = ['auto', 'plain', 'tty', 'quiet', 'json'] as const;
/** `--layer-source`: `storage` (the engine's storage, directly or through a helper container), `export` (the engine's export), or `auto`. */
export const layerSources = ['auto', 'storage', 'export'] as const;
export type LayerSourceChoice = (typeof layerSources)[number];

/** The kinds shared by a flag and its variable, declared once. */
export const settingKinds = {
  chunkSize: size({ min: 1, max: maxChunkBytes }),
  concurrency: count({ min: 1, max: 256 }),
  requestTimeout: seconds({ min: 0.001, max: maxTimerSeconds }),
  layerSource: choice(layerSources),
  progress: choice(progressModes),
  weightsThreshold: size({ min: 1, max: 1024 ** 4 }),
  multipartThreshold: size({ min: 0, max: maxChunkBytes }),
  schemaFile: path('a JSON file'),
} as const;

export const variables = {
  // The engine
  COG_DOCKER: {
    kind: path('a docker binary'),
    group: 'engine',
    default: 'docker',
    description: 'The docker CLI to use (found on PATH), e.g. one that still has the classic BuildKit builder.',
    readme: true,
  },
  DOCKER_HOST: { kind: text('an engine address'), group: 'engine', description: 'The engine to talk to, as for docker itself (`unix://…`, `tcp://…`, `ssh://…`).', readme: true },
  DOCKER_CONTEXT: { kind: text('a context name'), group: 'engine', description: 'The docker context whose engine is used when `DOCKER_HOST` is unset.', defaultText: "the docker config's current context" },
  DOCKER_CONFIG: { kind: path(), group: 'engine', description: "Docker's config folder: registry credentials, credential helpers, contexts.", defaultText: '`~/.docker`' },
  DOCKER_TLS_VERIFY: { kind: presence(), group: 'engine', description: "With `DOCKER_HOST`: TLS to the engine, checking its certificate." },
  DOCKER_TLS: { kind: presence(), group: 'engine', description: "With `DOCKER_HOST`: TLS to the engine without checking its certificate." },
  DOCKER_CERT_PATH: { kind: path(), group: 'engine', description: "The engine's TLS client certificates and CA (`cert.pem`, `key.pem`, `ca.pem`).", defaultText: '`~/.docker`' },
  BUILDKIT_HOST: {
    kind: text('a BuildKit address'),
    group: 'engine',
    description: 'Build on this BuildKit daemon (`tcp://…`, `unix://…`) through buildctl, as `--buildkit-host` (docs/ci.md).',
    readme: true,
  },
  COG_BUILDCTL: { kind: path('a buildctl binary'), group: 'engine', default: 'buildctl', description: 'The buildctl that talks to a BuildKit daemon (found on PATH).', readme: true },
  HOME: { kind: path(), group: 'engine', description: 'Where `~/.docker` is, when `DOCKER_CONFIG` or `DOCKER_CERT_PATH` does not say.', defaultText: "the user's home directory" },

  // Building
  BUILDKIT_PROGRESS: {
    kind: settingKinds.progress,
    group: 'build',
    default: 'auto',
    whenInvalid: 'ignore',
    description: "Default for `--progress`; a value cogpack does not show (docker's own `rawjson`) is ignored.",
    readme: true,
  },
  COG_WEIGHTS_THRESHOLD: {
    kind: settingKinds.weightsThreshold,
    group: 'build',
    default: '10MiB',
    description: 'Files at least this big get layers of their own.',
    readme: true,
  },
  COG_OPENAPI_SCHEMA: {
    kind: settingKinds.schemaFile,
    group: 'build',
    description: "An OpenAPI schema file to use instead of reading the predictor's.",
  },
  COG_CA_CERT: {
    kind: text('a file, a folder, PEM text or base64'),
    group: 'build',
    description: 'Extra CA certificates to trust during the build (a file, a folder of `.crt`/`.pem`, PEM text or base64): for TLS-inspecting proxies.',
    readme: true,
  },
  PIP_INDEX_URL: { kind: text('a URL'), group: 'build', description: "A package index for the build's pip (and uv, unless `UV_INDEX_URL` is set), passed as a build secret.", readme: true },
  PIP_EXTRA_INDEX_URL: { kind: text('URLs'), group: 'build', description: 'Extra package indexes for pip (and uv, unless `UV_EXTRA_INDEX_URL` is set), passed as a build secret.', readme: true },
  UV_INDEX_URL: { kind: text('a URL'), group: 'build', description: "A package index for the build's uv, passed as a build secret.", readme: true },
  UV_EXTRA_INDEX_URL: { kind: text('URLs'), group: 'build', description: "Extra package indexes for the build's uv, passed as a build secret.", readme: true },
  UV_PYTHON_INSTALL_MIRROR: { kind: text('a URL'), group: 'build', description: 'Where uv downloads Python builds from, passed as a build secret.' },
  COG_IMAGE_MIRRORS: {
    kind: text('REGISTRY=MIRROR pairs'),
    group: 'build',
    description: 'Base images from a mirror registry: `docker.io=mirror.example/hub,r8.im=…`.',
    readme: true,
  },
  COG_REGISTRY_HOST: {
    kind: text('a registry host'),
    group: 'build',
    default: 'r8.im',
    description: 'The registry of the cog-base images, and of a model push whose reference names none.',
  },
  COG_SDK_WHEEL: { kind: text('a file, a URL or a version'), group: 'build', description: 'The Cog runtime to install instead of `build.sdk_version`: a wheel file, a URL, or a version.' },
  COGLET_WHEEL: { kind: text('a file, a URL or a version'), group: 'build', description: 'A coglet wheel to install besides the Cog runtime.' },

  // Running
  RUST_LOG: { kind: text('a log filter'), group: 'run', description: "Passed to the model's container (`cog run`, `serve`, `exec`): the runtime's log level." },
  REPLICATE_API_TOKEN: { kind: text('a token'), group: 'run', description: 'Sent to the model in the request context with `cog run --use-replicate-token`.' },

  // Pushing
  COG_MODEL: { kind: text('an image reference'), group: 'push', description: 'Where `cog push` pushes a model: a whole reference (without a tag: the UTC time, `20260508T153042Z`).', readme: true },
  COG_MODEL_REGISTRY: { kind: text('a registry host'), group: 'push', description: "Replaces the registry of cog.yaml's `model:`.", readme: true },
  COG_MODEL_REPO: { kind: text('a repository path'), group: 'push', description: "Replaces the repository of cog.yaml's `model:`.", readme: true },
  COG_MODEL_TAG: { kind: text('a tag'), group: 'push', description: 'The tag of a model push (default: the UTC time, `20260508T153042Z`).', readme: true },
  COG_PUSH_CONCURRENCY: {
    kind: settingKinds.concurrency,
    group: 'push',
    default: '3',
    whenInvalid: 'ignore',
    description: "Upstream's variable for `--concurrency`; a value that is not a whole number from 1 to 256 is ignored, as upstream ignores it.",
    readme: true,
  },
  COG_PUSH_DEFAULT_CHUNK_SIZE: {
    kind: settingKinds.chunkSize,
    group: 'push',
    default: '96MiB',
    description: "Upstream's variable for `--chunk-size`; the registry may ask for smaller chunks.",
    readme: true,
  },
  COG_PUSH_MULTIPART_THRESHOLD: {
    kind: settingKinds.multipartThreshold,
    group: 'push',
    default: '1MiB',
    description: "Blobs at most this big go up in one request (upstream's variable; never more than one chunk is held).",
    readme: true,
  },
  COG_PUSH_OCI: { kind: text(), group: 'push', description: "Upstream's opt-in to chunked uploads: accepted, and changes nothing (cogpack always pushes in chunks)." },
  COG_REQUEST_TIMEOUT: {
    kind: settingKinds.requestTimeout,
    group: 'push',
    defaultText: '60 (10 to connect)',
    description: 'Default for `--request-timeout`: seconds a registry request may wait for an answer, or between two pieces of one, before it is tried again.',
    readme: true,
  },
  COG_PUSH_LAYER_SOURCE: {
    kind: settingKinds.layerSource,
    group: 'push',
    default: 'auto',
    description: "Default for `--layer-source`: where `cog push` reads layers (docs/push.md).",
    readme: true,
  },

  // Logging in
  COG_REGISTRY_USERNAME: { kind: text('a username'), group: 'login', description: '`cog login` without a prompt: the username.', readme: true },
  COG_REGISTRY_PASSWORD: { kind: text('a password or token'), group: 'login', description: '`cog login` without a prompt: the password or token (never printed).', readme: true },

  // Caches
  COGPACK_CACHE_DIR: { kind: path(), group: 'cache', description: "cogpack's cache folder (pushed layers, base-image answers, pip freeze results).", defaultText: '`$XDG_CACHE_HOME/cogpack`, else `~/.cache/cogpack`', readme: true },
  COG_CACHE_DIR: { kind: path(), group: 'cache', description: "Upstream's cache folder variable, used when `COGPACK_CACHE_DIR` is unset (CI jobs written for upstream cache it).", readme: true },
  XDG_CACHE_HOME: { kind: path(), group: 'cache', description: 'The cache folder is `$XDG_CACHE_HOME/cogpack` when neither variable above is set.', defaultText: '`~/.cache`' },

  // The terminal and CI
  COG_SKIP_DOCKER_CHECK: { kind: presence(), group: 'terminal', description: '`cog doctor` skips its checks of the engine (for machines without one).' },
  CI: { kind: presence(), group: 'terminal', description: 'Set (as CI services set it): plain progress lines, never spinners.' },
  TERM: { kind: text('a terminal type'), group: 'terminal', description: '`dumb`: plain progress lines, never spinners.' },
  GITHUB_SHA: { kind: text('a commit'), group: 'terminal', description: 'The `org.opencontainers.image.revision` label, instead of asking git.' },
  GITHUB_REF_NAME: { kind: text('a tag or branch'), group: 'terminal', description: 'The `org.opencontainers.image.version` label, instead of `git describe`.' },

  // Read by bin/cog.js, which starts `cog push` in a child Node tuned for its memory.
  COGPACK_PARENT_PID: {
    kind: text('a process ID'),
    group: 'internal',
    description: "Set by `cog push`'s launcher for the child it starts: the child stops if the launcher is killed outright.",
  },
} as const satisfies Record<string, Variable>;

export type VariableName = keyof typeof variables;

/** Every variable with its name, in the list's order. */
export function listVariables(): Array<[VariableName, Variable]> {
  // Object.entries loses the key type; the keys are exactly the variables' names.
  return Object.entries(variables) as Array<[VariableName, Variable]>;
}
