import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, realpath, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../errors.js';
import { registerSecret } from '../ui/redact.js';
import { helperGet, helperStore, type HelperOptions } from './credential-helper.js';
import type { Credentials, FoundCredentials, SecretKind } from './types.js';
import { processEnv, readEnv } from '../settings/env.js';

/**
 * Registry credentials as the Docker CLI keeps them: `$DOCKER_CONFIG/config.json` (default
 * `~/.docker/config.json`) with `credHelpers` (per registry), `credsStore` (all registries) and
 * `auths` (base64 `auth`, or `username`/`password`, or an `identitytoken`).
 */

export interface DockerConfigOptions extends HelperOptions {
  /** Directory of config.json. Default `$DOCKER_CONFIG`, else `~/.docker`. */
  configDir?: string;
}

export interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
  [key: string]: unknown;
}

export interface DockerConfigFile {
  auths?: Record<string, AuthEntry>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
  [key: string]: unknown;
}

/** Docker Hub's credentials live under its v1 index URL, whatever name the image used. */
const dockerHubKey = 'https://index.docker.io/v1/';
const dockerHubNames = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

export function dockerConfigPath(options: DockerConfigOptions = {}): string {
  const env = options.env ?? processEnv();
  const dir = options.configDir ?? readEnv('DOCKER_CONFIG', env) ?? path.join(readEnv('HOME', env) ?? os.homedir(), '.docker');
  return path.join(dir, 'config.json');
}

/** The Docker config, or an empty one when there is no file. */
export async function readDockerConfig(options: DockerConfigOptions = {}): Promise<DockerConfigFile> {
  const file = dockerConfigPath(options);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new UserError(`cannot read the Docker config ${file}: ${(error as Error).message}`, { cause: error });
  }
  if (text.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as DockerConfigFile;
  } catch (error) {
    throw new UserError(`the Docker config ${file} is not valid JSON: ${(error as Error).message}`, {
      hint: 'fix or remove the file, then log in again',
      cause: error,
    });
  }
}

/**
 * A registry name the way config keys are compared: host[:port] without scheme or path, Docker
 * Hub's many names as `docker.io`. Keys like `https://ghcr.io`, `ghcr.io/v2/` and `ghcr.io` match.
 */
export function normaliseRegistryKey(key: string): string {
  const host = key.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split('/')[0]!.toLowerCase();
  return dockerHubNames.has(host) ? 'docker.io' : host;
}

/** The server URL Docker uses to store a registry's credentials (and hands to helpers). */
export function credentialServerUrl(registry: string): string {
  return normaliseRegistryKey(registry) === 'docker.io' ? dockerHubKey : registry;
}

/**
 * The credentials for one registry host, in Docker's order: its `credHelpers` entry, else
 * `credsStore`, else `auths`. Undefined when nothing is known (anonymous access).
 */
export async function credentialsFor(registry: string, options: DockerConfigOptions = {}): Promise<FoundCredentials | undefined> {
  const config = await readDockerConfig(options);
  const wanted = normaliseRegistryKey(registry);
  const helper = findByRegistry(config.credHelpers, wanted) ?? config.credsStore;
  if (helper) {
    const found = await helperGet(helper, credentialServerUrl(registry), options);
    if (found) return fromHelper(found, helper);
  }
  const entry = findByRegistry(config.auths, wanted);
  return entry ? fromAuthEntry(entry) : undefined;
}

function findByRegistry<T>(table: Record<string, T> | undefined, wanted: string): T | undefined {
  if (!table) return undefined;
  // Exact keys first (what `docker login` wrote), then any spelling of the same host.
  const exact = table[wanted];
  if (exact !== undefined) return exact;
  for (const [key, value] of Object.entries(table)) if (normaliseRegistryKey(key) === wanted) return value;
  return undefined;
}

function fromHelper(found: { username: string; secret: string }, helper: string): FoundCredentials {
  // A helper answering Username "<token>" holds an identity token (docker/cli does the same).
  const identity = found.username === '<token>';
  return { username: identity ? '' : found.username, secret: found.secret, secretKind: identity ? 'identity-token' : 'password', source: `helper:${helper}` };
}

function fromAuthEntry(entry: AuthEntry): FoundCredentials | undefined {
  let username = entry.username ?? '';
  let password = entry.password ?? '';
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      username = decoded.slice(0, colon);
      password = decoded.slice(colon + 1);
    }
    registerSecret(entry.auth);
  }
  if (entry.identitytoken) {
    registerSecret(entry.identitytoken);
    return { username, secret: entry.identitytoken, secretKind: 'identity-token', source: 'docker-config' };
  }
  if (!password) return undefined;
  registerSecret(password);
  return { username, secret: password, secretKind: 'password', source: 'docker-config' };
}

export interface StoredCredentials {
  /** Where they went: the Docker config file, or the credential helper that took them. */
  storedIn: 'docker-config' | `helper:${string}`;
  /** The config file written (a helper store still records the registry under `auths`). */
  configFile: string;
}

/**
 * Keeps credentials for a registry the way `docker login` does: through the registry's
 * `credHelpers` entry or `credsStore` when one is configured (the file then only records the
 * registry, without a secret), else base64 in `auths`. The file is rewritten atomically with mode
 * 0600 and every other key kept.
 */
export async function storeCredentials(
  registry: string,
  credentials: Credentials & { secretKind?: SecretKind },
  options: DockerConfigOptions = {},
): Promise<StoredCredentials> {
  const config = await readDockerConfig(options);
  const serverUrl = credentialServerUrl(registry);
  const wanted = normaliseRegistryKey(registry);
  const helper = findByRegistry(config.credHelpers, wanted) ?? config.credsStore;
  const auths: Record<string, AuthEntry> = { ...config.auths };
  // Stale spellings of the same registry would shadow the new entry on the next read.
  for (const key of Object.keys(auths)) if (normaliseRegistryKey(key) === wanted && key !== serverUrl) delete auths[key];
  const previous = config.auths?.[serverUrl] ?? {};
  const { auth: _auth, username: _username, password: _password, identitytoken: _identity, ...kept } = previous;
  if (helper) {
    const username = credentials.secretKind === 'identity-token' ? '<token>' : credentials.username;
    await helperStore(helper, { serverUrl, username, secret: credentials.secret }, options);
    auths[serverUrl] = kept;
  } else if (credentials.secretKind === 'identity-token') {
    registerSecret(credentials.secret);
    auths[serverUrl] = { ...kept, auth: Buffer.from(`${credentials.username}:`).toString('base64'), identitytoken: credentials.secret };
  } else {
    registerSecret(credentials.secret);
    const auth = Buffer.from(`${credentials.username}:${credentials.secret}`).toString('base64');
    registerSecret(auth);
    auths[serverUrl] = { ...kept, auth };
  }
  const file = dockerConfigPath(options);
  await writeConfigAtomically(file, { ...config, auths });
  return { storedIn: helper ? `helper:${helper}` : 'docker-config', configFile: file };
}

/** Writes beside the real file (through a symlink, as Docker does) then renames over it. */
async function writeConfigAtomically(file: string, config: DockerConfigFile): Promise<void> {
  const target = await realpath(file).catch(() => file);
  await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
  const temporary = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, `${JSON.stringify(config, null, '\t')}\n`, { mode: 0o600, flag: 'wx' });
    // The umask cannot widen 0600, but a pre-existing mode could: set it explicitly.
    await chmod(temporary, 0o600);
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new UserError(`cannot write the Docker config ${target}: ${(error as Error).message}`, { cause: error });
  }
}
