import { UserError } from '../errors.js';
import { registerSecret } from '../ui/redact.js';
import { processEnv, type Env } from '../settings/env.js';

/**
 * Docker credential helpers (`docker-credential-<name>`): the protocol of
 * docker/docker-credential-helpers. `get` reads a server URL on stdin and prints
 * `{"ServerURL","Username","Secret"}`; `store` reads that JSON on stdin.
 */

export interface HelperOptions {
  /** Environment of the helper (its PATH finds it). Default the process's. */
  env?: Env;
  /** Longest a helper may take, ms (a desktop keychain may ask the user). Default 60 000. */
  timeoutMs?: number;
}

export interface HelperCredentials {
  username: string;
  secret: string;
}

/** Helpers say this (in several spellings) when they hold nothing for the server. */
const notFound = /credentials not found|not found in (native )?keychain|no credentials/i;

/** What the helper holds for `serverUrl`, or undefined when it holds nothing. */
export async function helperGet(helper: string, serverUrl: string, options: HelperOptions = {}): Promise<HelperCredentials | undefined> {
  const result = await runHelper(helper, 'get', serverUrl, options);
  if (result.exitCode !== 0) {
    if (notFound.test(`${result.stdout}\n${result.stderr}`)) return undefined;
    throw new UserError(`docker-credential-${helper} get failed for ${serverUrl}: ${oneLine(result.stdout || result.stderr)}`, {
      hint: `check the credential helper configured in your Docker config, or log in again with \`cog login ${serverUrl}\``,
    });
  }
  let parsed: { Username?: unknown; Secret?: unknown };
  try {
    parsed = JSON.parse(result.stdout) as typeof parsed;
  } catch (error) {
    throw new UserError(`docker-credential-${helper} get answered something that is not JSON`, { cause: error });
  }
  const secret = typeof parsed.Secret === 'string' ? parsed.Secret : '';
  if (!secret) return undefined;
  registerSecret(secret);
  return { username: typeof parsed.Username === 'string' ? parsed.Username : '', secret };
}

/** Hands credentials to the helper to keep. */
export async function helperStore(
  helper: string,
  entry: { serverUrl: string } & HelperCredentials,
  options: HelperOptions = {},
): Promise<void> {
  registerSecret(entry.secret);
  const input = JSON.stringify({ ServerURL: entry.serverUrl, Username: entry.username, Secret: entry.secret });
  const result = await runHelper(helper, 'store', input, options);
  if (result.exitCode !== 0) {
    throw new UserError(`docker-credential-${helper} store failed for ${entry.serverUrl}: ${oneLine(result.stdout || result.stderr)}`);
  }
}

async function runHelper(
  helper: string,
  verb: 'get' | 'store',
  input: string,
  options: HelperOptions,
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  if (!/^[\w.-]+$/.test(helper)) throw new UserError(`"${helper}" is not a credential helper name`);
  // Loaded on first use, as everywhere: execa's module graph is a good part of a start-up.
  const { execa } = await import('execa');
  const binary = `docker-credential-${helper}`;
  const result = await execa(binary, [verb], {
    input,
    env: options.env ?? processEnv(),
    extendEnv: false,
    reject: false,
    timeout: options.timeoutMs ?? 60_000,
    stripFinalNewline: true,
  });
  if ((result as { code?: string }).code === 'ENOENT') {
    throw new UserError(`the credential helper ${binary} is not installed`, {
      hint: `install it, or remove "${helper}" from credsStore/credHelpers in your Docker config`,
      cause: result,
    });
  }
  if (result.timedOut) throw new UserError(`${binary} ${verb} did not answer within ${Math.round((options.timeoutMs ?? 60_000) / 1000)} s`);
  return { exitCode: result.exitCode ?? 1, stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? '') };
}

function oneLine(text: string): string {
  return text.trim().split('\n')[0]?.slice(0, 300) ?? '';
}
