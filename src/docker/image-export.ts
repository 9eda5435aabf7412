import { Readable } from 'node:stream';
import { engineEndpoint, type EngineEndpoint } from './endpoint.js';
import type { DockerCli, DockerOutputStream } from './process.js';
import { processEnv, type Env } from '../settings/env.js';

/**
 * `docker save`'s archive of one image, as a stream out of the engine: from its API
 * (`GET /images/{name}/get`) over its socket, unix or TCP, where cogpack can reach it, else from
 * the docker CLI. The API saves a process that copies every byte once more, on a machine where
 * the engine, the registry and cogpack share the cores; the CLI reaches every engine (ssh://…).
 */
export interface ImageExporter {
  /** How the archive is read, for --debug. */
  readonly describe: string;
  open(imageId: string, signal?: AbortSignal): Promise<DockerOutputStream>;
}

export function chooseImageExporter(docker: DockerCli, env: Env = processEnv()): ImageExporter {
  const endpoint = engineEndpoint(env);
  if (endpoint.kind === 'unsupported') return cliImageExporter(docker, endpoint.reason);
  return apiImageExporter(endpoint);
}

export function cliImageExporter(docker: DockerCli, why?: string): ImageExporter {
  return {
    describe: `docker save (${docker.binary})${why ? `: ${why}` : ''}`,
    open: (imageId, signal) => docker.stream(['save', imageId], { signal }),
  };
}

export function apiImageExporter(endpoint: EngineEndpoint): ImageExporter {
  return {
    describe: `the engine's API at ${endpoint.host} (GET /images/{id}/get)`,
    async open(imageId, signal) {
      const { Agent, request } = await import('undici');
      const tls = endpoint.kind === 'tcp' ? endpoint.tls : undefined;
      const agent = new Agent({
        connect: {
          ...(endpoint.kind === 'unix' ? { socketPath: endpoint.socketPath } : {}),
          ...(tls ? { ca: tls.ca, cert: tls.cert, key: tls.key, rejectUnauthorized: tls.verify } : {}),
        },
        // Docker before 25 copies the whole image aside before the first byte: minutes for a big
        // one. A stream that stops for five minutes once started is stuck.
        headersTimeout: 0,
        bodyTimeout: 300_000,
      });
      const origin = endpoint.kind === 'unix' ? 'http://docker' : endpoint.origin;
      let answer;
      try {
        answer = await request(`${origin}/images/${encodeURIComponent(imageId)}/get`, { dispatcher: agent, signal: signal ?? null });
      } catch (error) {
        await agent.close().catch(() => undefined);
        if (signal?.aborted) throw signal.reason ?? error;
        return failedExport(`cannot reach the engine at ${endpoint.host}: ${(error as Error).message}`);
      }
      if (answer.statusCode !== 200) {
        const text = await answer.body.text().catch(() => '');
        await agent.close().catch(() => undefined);
        return failedExport(`the engine answered ${answer.statusCode}: ${engineMessage(text)}`);
      }
      const body = answer.body;
      const exited = new Promise<{ exitCode: number; stdout: string; stderrTail: string[] }>((resolve) => {
        body.once('end', () => resolve({ exitCode: 0, stdout: '', stderrTail: [] }));
        body.once('error', (error: Error) => resolve({ exitCode: 1, stdout: '', stderrTail: [`the engine's export failed: ${error.message}`] }));
        body.once('close', () => resolve({ exitCode: body.readableEnded ? 0 : 1, stdout: '', stderrTail: body.readableEnded ? [] : ['the export was cut short'] }));
      }).finally(() => agent.close().catch(() => undefined));
      return { stdout: body as unknown as Readable, exited, kill: () => void body.destroy() };
    },
  };
}

/** An export that produced no archive: empty stdout, the engine's words as its stderr. */
function failedExport(message: string): DockerOutputStream {
  return { stdout: Readable.from([]), exited: Promise.resolve({ exitCode: 1, stdout: '', stderrTail: [message] }), kill: () => undefined };
}

/** The engine's errors are JSON (`{"message": "…"}`). */
function engineMessage(text: string): string {
  try {
    return (JSON.parse(text) as { message?: string }).message ?? text.trim();
  } catch {
    return text.trim() || 'no message';
  }
}
