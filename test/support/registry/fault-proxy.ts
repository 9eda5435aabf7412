import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { readBody, sendOciError, startScriptedServer, type ScriptedServer } from './scripted-server.js';

/**
 * A fault-injecting HTTP proxy in front of a real registry (architecture.md, "Tests", rung 4).
 * Requests pass through unchanged, Host header included, so the registry builds its Location
 * URLs against the proxy and every later request of an upload comes back through it. A fault
 * hook decides, per request, to fail it before the registry sees it, after the registry handled
 * it (the registry kept the bytes, the client hears an error), to cut the connection mid-body,
 * or to stall.
 */

export type ProxyFault =
  /** Answer this status; `after-forward` lets the registry handle the request first. Default `before-forward`. */
  | { kind: 'status'; status: number; headers?: Record<string, string>; when?: 'before-forward' | 'after-forward' }
  /** Forward this many body bytes to the registry, then cut both connections. */
  | { kind: 'cut'; afterBytes: number }
  /** Read nothing, answer nothing. */
  | { kind: 'stall' }
  /** Forward the request after this many milliseconds (a slow link, to keep a push going). */
  | { kind: 'delay'; ms: number };

export interface ProxyFaultContext {
  method: string;
  path: string;
  /** 1-based number of this request among the proxied requests of its method. */
  methodCount: number;
  contentRange: string | undefined;
  /** Whether the request carries blob bytes (a PATCH, or a PUT with the last or only chunk). */
  hasBody: boolean;
  /** Content-Length, when the request gives one. */
  length: number | undefined;
}

export interface ProxyLogEntry {
  method: string;
  path: string;
  contentRange: string | undefined;
  /** Body bytes forwarded to the registry. */
  forwardedBytes: number;
  /** What the client got: a status, or the fault. */
  outcome: number | 'cut' | 'stall' | 'error';
  /** What the registry answered, when it was asked. */
  upstreamStatus?: number;
}

export interface FaultProxy extends ScriptedServer {
  log: ProxyLogEntry[];
}

export async function startFaultProxy(
  upstream: string,
  fault: (context: ProxyFaultContext) => ProxyFault | undefined = () => undefined,
): Promise<FaultProxy> {
  const [upstreamHost, upstreamPort] = upstream.split(':') as [string, string];
  if (!upstreamHost.startsWith('127.')) throw new Error('the fault proxy only forwards to loopback registries');
  const log: ProxyLogEntry[] = [];
  const counts = new Map<string, number>();

  const server = await startScriptedServer(async (request: IncomingMessage, response: ServerResponse) => {
    const method = request.method ?? 'GET';
    const methodCount = (counts.get(method) ?? 0) + 1;
    counts.set(method, methodCount);
    const path = new URL(request.url ?? '/', 'http://proxy.invalid').pathname;
    const contentRange = request.headers['content-range'];
    const entry: ProxyLogEntry = { method, path, contentRange, forwardedBytes: 0, outcome: 'error' };
    log.push(entry);
    const length = request.headers['content-length'] === undefined ? undefined : Number(request.headers['content-length']);
    const hasBody = (length ?? 0) > 0 || request.headers['transfer-encoding'] !== undefined;
    const chosen = fault({ method, path, methodCount, contentRange, hasBody, length });

    if (chosen?.kind === 'stall') {
      entry.outcome = 'stall';
      return;
    }
    if (chosen?.kind === 'delay') {
      await new Promise((resolve) => setTimeout(resolve, chosen.ms));
      // The client gave up meanwhile: a slow link does not deliver it later.
      if (request.socket.destroyed) {
        entry.outcome = 'error';
        return;
      }
    }
    if (chosen?.kind === 'status' && chosen.when !== 'after-forward') {
      await readBody(request);
      entry.outcome = chosen.status;
      sendOciError(response, chosen.status, 'INJECTED', `injected ${chosen.status} by the fault proxy`, chosen.headers);
      return;
    }

    const upstreamRequest = httpRequest({ host: upstreamHost, port: Number(upstreamPort), method, path: request.url, headers: request.headers });
    const answered = new Promise<IncomingMessage | undefined>((resolve) => {
      upstreamRequest.on('response', resolve);
      upstreamRequest.on('error', () => resolve(undefined));
    });

    if (chosen?.kind === 'cut') {
      await forwardPart(request, upstreamRequest, chosen.afterBytes, entry);
      entry.outcome = 'cut';
      upstreamRequest.destroy();
      request.socket.destroy();
      return;
    }
    for await (const piece of request) {
      entry.forwardedBytes += (piece as Buffer).length;
      if (!upstreamRequest.write(piece)) await new Promise((resolve) => upstreamRequest.once('drain', resolve));
    }
    upstreamRequest.end();
    const upstreamResponse = await answered;
    if (!upstreamResponse) {
      entry.outcome = 'error';
      request.socket.destroy();
      return;
    }
    entry.upstreamStatus = upstreamResponse.statusCode;
    if (chosen?.kind === 'status') {
      await readBody(upstreamResponse);
      entry.outcome = chosen.status;
      sendOciError(response, chosen.status, 'INJECTED', `injected ${chosen.status} by the fault proxy after the registry answered`, chosen.headers);
      return;
    }
    entry.outcome = upstreamResponse.statusCode ?? 502;
    response.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
    for await (const piece of upstreamResponse) response.write(piece);
    response.end();
  });
  return { ...server, log };
}

/** Forwards the first `limit` bytes of the body, then stops reading. */
async function forwardPart(request: IncomingMessage, upstream: ReturnType<typeof httpRequest>, limit: number, entry: ProxyLogEntry): Promise<void> {
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      request.pause();
      resolve();
    };
    request.on('data', (piece: Buffer) => {
      const take = Math.min(piece.length, limit - entry.forwardedBytes);
      if (take > 0) upstream.write(piece.subarray(0, take));
      entry.forwardedBytes += take;
      if (entry.forwardedBytes >= limit) stop();
    });
    request.on('end', stop);
    request.on('close', stop);
  });
  // Let the registry read what was forwarded before the cut.
  await new Promise<void>((resolve) => (upstream.writableNeedDrain ? upstream.once('drain', () => resolve()) : setImmediate(resolve)));
}
