import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { processEnv, readEnv, type Env } from '../settings/env.js';

/**
 * Where the engine's API listens, found the way the docker CLI finds it: `DOCKER_HOST`, else the
 * context named by `DOCKER_CONTEXT` or by `currentContext` in the Docker config (Docker Desktop
 * sets one), else the default socket. cogpack talks to the API itself where that beats the CLI
 * (`docker save` through the CLI copies every byte through one more process).
 */
export type EngineEndpoint =
  | { kind: 'unix'; socketPath: string; host: string }
  | { kind: 'tcp'; origin: string; host: string; tls?: EngineTls };

export interface EngineTls {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** Check the engine's certificate (DOCKER_TLS_VERIFY, or a context without SkipTLSVerify). */
  verify: boolean;
}

/** Why there is no endpoint cogpack can talk to itself (ssh://, npipe://, a broken context). */
export interface UnsupportedEndpoint {
  kind: 'unsupported';
  host: string;
  reason: string;
}

const defaultHost = 'unix:///var/run/docker.sock';

export function engineEndpoint(env: Env = processEnv()): EngineEndpoint | UnsupportedEndpoint {
  const host = readEnv('DOCKER_HOST', env);
  if (host) return parseHost(host, envTls(env));
  const configDir = readEnv('DOCKER_CONFIG', env) ?? path.join(readEnv('HOME', env) ?? os.homedir(), '.docker');
  const context = readEnv('DOCKER_CONTEXT', env) ?? currentContext(configDir);
  if (!context || context === 'default') return parseHost(defaultHost, undefined);
  return contextEndpoint(configDir, context);
}

function parseHost(host: string, tls: EngineTls | undefined): EngineEndpoint | UnsupportedEndpoint {
  if (host.startsWith('unix://')) return { kind: 'unix', socketPath: host.slice('unix://'.length), host };
  if (host.startsWith('tcp://') || host.startsWith('http://') || host.startsWith('https://')) {
    const url = new URL(host.replace(/^tcp:/, tls ? 'https:' : 'http:'));
    // The CLI's defaults: 2375 in the clear, 2376 with TLS.
    const port = url.port || (tls ? '2376' : '2375');
    return { kind: 'tcp', origin: `${url.protocol}//${url.hostname}:${port}`, host, ...(tls ? { tls } : {}) };
  }
  return { kind: 'unsupported', host, reason: `cogpack reaches ${host.split('://')[0]}:// engines through the docker CLI only` };
}

/** TLS as the CLI reads it from the environment: DOCKER_TLS_VERIFY / DOCKER_TLS and DOCKER_CERT_PATH. */
function envTls(env: Env): EngineTls | undefined {
  const verify = readEnv('DOCKER_TLS_VERIFY', env) ?? false;
  if (!verify && !readEnv('DOCKER_TLS', env)) return undefined;
  const dir = readEnv('DOCKER_CERT_PATH', env) ?? path.join(readEnv('HOME', env) ?? os.homedir(), '.docker');
  return { verify, ...readTlsFiles(dir) };
}

function currentContext(configDir: string): string | undefined {
  try {
    const config = JSON.parse(readFileSync(path.join(configDir, 'config.json'), 'utf8')) as { currentContext?: string };
    return config.currentContext;
  } catch {
    return undefined;
  }
}

/** A named context's endpoint, from the CLI's context store (`contexts/meta/<sha256 of the name>/meta.json`). */
function contextEndpoint(configDir: string, name: string): EngineEndpoint | UnsupportedEndpoint {
  const id = createHash('sha256').update(name).digest('hex');
  let meta: { Endpoints?: { docker?: { Host?: string; SkipTLSVerify?: boolean } } };
  try {
    meta = JSON.parse(readFileSync(path.join(configDir, 'contexts', 'meta', id, 'meta.json'), 'utf8')) as typeof meta;
  } catch {
    return { kind: 'unsupported', host: `context ${name}`, reason: `the docker context ${name} was not found in ${configDir}/contexts` };
  }
  const docker = meta.Endpoints?.docker;
  if (!docker?.Host) return { kind: 'unsupported', host: `context ${name}`, reason: `the docker context ${name} names no engine` };
  const tlsDir = path.join(configDir, 'contexts', 'tls', id, 'docker');
  const tls = existsSync(tlsDir) ? { verify: !docker.SkipTLSVerify, ...readTlsFiles(tlsDir) } : undefined;
  return parseHost(docker.Host, tls);
}

function readTlsFiles(dir: string): Omit<EngineTls, 'verify'> {
  const read = (file: string) => {
    try {
      return readFileSync(path.join(dir, file));
    } catch {
      return undefined;
    }
  };
  const files = { ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem') };
  return Object.fromEntries(Object.entries(files).filter(([, value]) => value !== undefined));
}
