import { readBody, startScriptedServer, type ScriptedServer } from './scripted-server.js';

export interface TokenServerOptions {
  /** Accepted basic credentials (username → password). Empty: every caller is anonymous. */
  users?: Record<string, string>;
  /** Accepted identity (refresh) tokens for the OAuth2 POST (token → username). */
  identityTokens?: Record<string, string>;
  /** Whether callers without credentials get (pull-only) tokens. Default true. */
  allowAnonymous?: boolean;
  /** `expires_in` of tokens, seconds. Default 300. */
  expiresIn?: number;
  /** Loopback address to listen on. Default 127.0.0.1. */
  address?: string;
  /** Makes the token string for a grant (a signed JWT for a real registry). Default an opaque random string. */
  mint?: (grant: { account: string | undefined; scopes: string[] }) => string;
  /**
   * The actions a known user may have on a repository; a scope asks for some, the token grants
   * those allowed (as Docker's token spec says: a subset, never a refusal). Default: all asked.
   */
  access?: (account: string, repository: string) => Array<'pull' | 'push'>;
}

export interface IssuedToken {
  token: string;
  account: string | undefined;
  /** Scopes asked for. */
  requested: string[];
  /** Granted scopes, e.g. `repository:a/b:pull,push`. */
  scopes: string[];
}

export interface TokenServer extends ScriptedServer {
  /** `http://host:port/token` */
  realm: string;
  issued: IssuedToken[];
  /** Forgets every token issued so far (the registry then answers 401 to them). */
  revokeAll(): void;
  /** Whether `token` was issued and not revoked. */
  isValid(token: string): boolean;
  /** Whether `token` grants `action` on `repository`. */
  allows(token: string, repository: string, action: 'pull' | 'push'): boolean;
}

/**
 * A Docker-style token service: `GET /token?service=…&scope=…` with optional basic auth, and the
 * OAuth2 `POST /token` (grant_type=refresh_token) for identity tokens. Anonymous callers get pull
 * only; known users get what they ask for.
 */
export async function startTokenServer(options: TokenServerOptions = {}): Promise<TokenServer> {
  const issued: IssuedToken[] = [];
  const valid = new Set<string>();
  let counter = 0;
  const server = await startScriptedServer(
    async (request, response) => {
      const url = new URL(request.url ?? '/', 'http://token.invalid');
      let account: string | undefined;
      let scopes: string[];
      if (request.method === 'POST') {
        const form = new URLSearchParams((await readBody(request)).toString());
        account = options.identityTokens?.[form.get('refresh_token') ?? ''];
        if (form.get('grant_type') !== 'refresh_token' || !account) {
          response.writeHead(401, { 'content-type': 'application/json' });
          response.end('{"error":"invalid_grant"}');
          return;
        }
        scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
      } else {
        const authorization = request.headers.authorization;
        if (authorization) {
          const [user, password] = Buffer.from(authorization.replace(/^Basic /, ''), 'base64').toString().split(':');
          if (!user || options.users?.[user] === undefined || options.users[user] !== password) {
            response.writeHead(401, { 'content-type': 'application/json' });
            response.end('{"details":"incorrect username or password"}');
            return;
          }
          account = user;
        } else if (options.allowAnonymous === false) {
          response.writeHead(401, { 'content-type': 'application/json' });
          response.end('{"details":"authentication required"}');
          return;
        }
        scopes = url.searchParams.getAll('scope');
      }
      const requested = scopes;
      if (!account) scopes = scopes.map((scope) => scope.replace(/:[^:]+$/, ':pull'));
      else if (options.access) {
        const [access, who] = [options.access, account];
        scopes = scopes.flatMap((scope) => narrowed(scope, access(who, scope.split(':')[1] ?? '')));
      }
      const token = options.mint ? options.mint({ account, scopes }) : `tok-${++counter}-${Math.random().toString(36).slice(2)}`;
      issued.push({ token, account, requested, scopes });
      valid.add(token);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ token, expires_in: options.expiresIn ?? 300, issued_at: new Date().toISOString() }));
    },
    options.address ? { address: options.address } : {},
  );
  return {
    ...server,
    realm: `${server.origin}/token`,
    issued,
    revokeAll: () => valid.clear(),
    isValid: (token) => valid.has(token),
    allows(token, repository, action) {
      if (!valid.has(token)) return false;
      const grant = issued.find((entry) => entry.token === token);
      return (grant?.scopes ?? []).some((scope) => {
        const [kind, name, actions] = scope.split(':');
        return kind === 'repository' && name === repository && (actions ?? '').split(',').includes(action);
      });
    },
  };
}

/** A scope with only the actions allowed, or none when no action is. */
function narrowed(scope: string, allowed: string[]): string[] {
  const [kind, name, actions] = scope.split(':');
  const kept = (actions ?? '').split(',').filter((action) => allowed.includes(action));
  return kept.length > 0 ? [`${kind}:${name}:${kept.join(',')}`] : [];
}
