import { fetchReplicateTokenPage, verifyCredentials, verifyReplicateToken } from '../registry/login.js';
import { storeCredentials } from '../registry/docker-config.js';
import { UsageError, UserError } from '../errors.js';
import { registerSecret } from '../ui/redact.js';

/** Upstream's default registry, which keeps its own token flow (spec push.md §4). */
export const replicateRegistry = 'r8.im';

export interface LoginInput {
  /** Asks the user (a terminal prompt); absent when nobody can answer (CI). */
  prompt?: (question: string, options: { secret: boolean }) => Promise<string>;
  /** All of stdin (`--password-stdin`). */
  readStdin?: () => Promise<string>;
}

export interface LoginOptions extends LoginInput {
  registry: string;
  /** `-u`, else COG_REGISTRY_USERNAME; asked when absent. */
  username?: string | undefined;
  /** COG_REGISTRY_PASSWORD; asked when absent (unless `passwordStdin`). */
  password?: string | undefined;
  passwordStdin?: boolean;
  /** Registry base URL override (tests' scripted Replicate server). */
  baseUrl?: string | undefined;
  /** Where the Docker config lives; default `$DOCKER_CONFIG` or `~/.docker`. */
  configDir?: string | undefined;
  signal?: AbortSignal;
}

export interface LoginResult {
  registry: string;
  username: string;
  /** `credential helper <name>` or the config file written. */
  storedIn: string;
}

/**
 * `cog login`: get credentials (prompt, `--password-stdin`, or COG_REGISTRY_USERNAME /
 * COG_REGISTRY_PASSWORD), check them against the registry, and keep them the way docker does
 * (the configured credential helper, else the Docker config), so docker and cogpack share them.
 */
export async function login(options: LoginOptions): Promise<LoginResult> {
  const { registry } = options;
  let username: string;
  let secret: string;
  if (registry === replicateRegistry && !options.username) {
    ({ username, secret } = await replicateLogin(options));
  } else {
    username = options.username ?? (await ask(options, 'Username: ', false));
    secret = options.passwordStdin
      ? (await required(options.readStdin, '--password-stdin needs the password on standard input')()).replace(/\r?\n$/, '')
      : (options.password ?? (await ask(options, 'Password: ', true)));
    registerSecret(secret);
    if (!username || !secret) throw new UserError('a username and a password (or token) are needed to log in');
    await verifyCredentials(registry, { username, secret }, { baseUrl: options.baseUrl, signal: options.signal });
  }
  const stored = await storeCredentials(registry, { username, secret }, options.configDir ? { configDir: options.configDir } : {});
  const storedIn = stored.storedIn === 'docker-config' ? stored.configFile : `credential helper ${stored.storedIn.slice('helper:'.length)}`;
  return { registry, username, storedIn };
}

async function replicateLogin(options: LoginOptions): Promise<{ username: string; secret: string }> {
  const page = await fetchReplicateTokenPage(options.registry, { baseUrl: options.baseUrl, signal: options.signal });
  const token = options.passwordStdin
    ? await required(options.readStdin, '--password-stdin needs the token on standard input')()
    : await ask(options, `Open ${page} in your browser to get a CLI auth token, then paste it here: `, true);
  const { username } = await verifyReplicateToken(options.registry, token, { baseUrl: options.baseUrl, signal: options.signal });
  return { username, secret: token.trim() };
}

async function ask(options: LoginInput, question: string, secret: boolean): Promise<string> {
  const prompt = required(options.prompt, 'no terminal to ask on: pass --username and --password-stdin, or set COG_REGISTRY_USERNAME and COG_REGISTRY_PASSWORD');
  return (await prompt(question, { secret })).trim();
}

function required<T>(value: T | undefined, message: string): T {
  if (value === undefined) throw new UsageError(message);
  return value;
}
