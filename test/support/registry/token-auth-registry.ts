import { execFileSync } from 'node:child_process';
import { X509Certificate, createPrivateKey, randomBytes, sign } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startLocalRegistry, type LocalRegistry } from './local-registry.js';
import { startTokenServer, type TokenServer, type TokenServerOptions } from './token-server.js';

/**
 * A real registry (distribution) with bearer-token auth, and the token service it trusts: the
 * Docker token flow end to end, as Docker Hub, GHCR and r8.im run it. The token service signs
 * ES256 JWTs with a throwaway certificate (openssl) that the registry gets as its root bundle;
 * each token carries the certificate in `x5c`, which distribution checks against that bundle.
 */

export interface TokenAuthRegistry {
  registry: LocalRegistry;
  tokens: TokenServer;
  stop(): Promise<void>;
}

const service = 'cogpack-test-registry';
const issuer = 'cogpack-test-token-issuer';

export async function startTokenAuthRegistry(options: Omit<TokenServerOptions, 'mint'> = {}): Promise<TokenAuthRegistry> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cogpack-token-auth-'));
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=cogpack-test-token-signer',
  ], { stdio: 'ignore' });
  const key = createPrivateKey(await readFile(keyFile));
  const certificate = new X509Certificate(await readFile(certFile));
  const x5c = [certificate.raw.toString('base64')];

  const mint = (grant: { account: string | undefined; scopes: string[] }): string => {
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'ES256', x5c };
    const claims = {
      iss: issuer,
      sub: grant.account ?? '',
      aud: service,
      exp: now + (options.expiresIn ?? 300),
      nbf: now - 10,
      iat: now,
      jti: randomBytes(8).toString('hex'),
      access: grant.scopes.map((scope) => {
        const [type, name, actions] = scope.split(':');
        return { type, name, actions: (actions ?? '').split(',').filter(Boolean) };
      }),
    };
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const signingInput = `${encode(header)}.${encode(claims)}`;
    // JOSE wants the raw r||s form of the ECDSA signature, not DER.
    const signature = sign('sha256', Buffer.from(signingInput), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url');
    return `${signingInput}.${signature}`;
  };

  const tokens = await startTokenServer({ ...options, mint });
  let registry: LocalRegistry;
  try {
    registry = await startLocalRegistry({
      authYaml: [
        '  token:',
        `    realm: ${tokens.realm}`,
        `    service: ${service}`,
        `    issuer: ${issuer}`,
        `    rootcertbundle: ${certFile}`,
      ].join('\n'),
    });
  } catch (error) {
    await tokens.close();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    registry,
    tokens,
    stop: async () => {
      await registry.stop();
      await tokens.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
