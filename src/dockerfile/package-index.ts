import { readEnv, type Env } from '../settings/env.js';

/**
 * Package-index mirrors for air-gapped and mirrored networks. The host's index settings reach the
 * build's pip and uv steps as BuildKit secrets, never as build args: an index URL often carries a
 * token (`https://user:token@mirror/simple`), and build args are recorded in the image history.
 */

type IndexVariable = 'PIP_INDEX_URL' | 'PIP_EXTRA_INDEX_URL' | 'UV_INDEX_URL' | 'UV_EXTRA_INDEX_URL' | 'UV_PYTHON_INSTALL_MIRROR';

/** One index setting passed into the build. */
export interface IndexSecret {
  /** BuildKit secret id, also its file name under /run/secrets. */
  id: string;
  /** The variable set for the command inside the build. */
  variable: string;
  /** The host variable whose value the secret carries. */
  hostVariable: string;
  /** Which installer reads it. */
  tool: 'pip' | 'uv';
}

/**
 * The host's index settings, as secrets. pip reads PIP_INDEX_URL / PIP_EXTRA_INDEX_URL; uv reads
 * UV_INDEX_URL / UV_EXTRA_INDEX_URL, and falls back to the pip ones so one setting covers both.
 */
export function indexSecretsFromEnv(env: Env): IndexSecret[] {
  const secrets: IndexSecret[] = [];
  const add = (tool: 'pip' | 'uv', variable: string, hostVariable: string | undefined) => {
    if (hostVariable) secrets.push({ id: `cog_${variable.toLowerCase()}`, variable, hostVariable, tool });
  };
  const pick = (...names: IndexVariable[]) => names.find((name) => readEnv(name, env));
  add('pip', 'PIP_INDEX_URL', pick('PIP_INDEX_URL'));
  add('pip', 'PIP_EXTRA_INDEX_URL', pick('PIP_EXTRA_INDEX_URL'));
  add('uv', 'UV_INDEX_URL', pick('UV_INDEX_URL', 'PIP_INDEX_URL'));
  add('uv', 'UV_EXTRA_INDEX_URL', pick('UV_EXTRA_INDEX_URL', 'PIP_EXTRA_INDEX_URL'));
  add('uv', 'UV_PYTHON_INSTALL_MIRROR', pick('UV_PYTHON_INSTALL_MIRROR'));
  return secrets;
}

/**
 * What goes between `RUN` and the command for a step run by `tool`: the secret mounts, then the
 * variables read from them (`VAR="$(cat /run/secrets/id)" `), ready for the shell form of RUN.
 */
export function indexPrefix(secrets: IndexSecret[], tool: 'pip' | 'uv'): { mounts: string; env: string } {
  const mine = secrets.filter((s) => s.tool === tool);
  return {
    mounts: mine.map((s) => `--mount=type=secret,id=${s.id} `).join(''),
    env: mine.map((s) => `${s.variable}="$(cat /run/secrets/${s.id})" `).join(''),
  };
}

/** The `docker build --secret` values that feed them. */
export function indexSecretArgs(secrets: IndexSecret[]): string[] {
  return secrets.map((s) => `id=${s.id},env=${s.hostVariable}`);
}
