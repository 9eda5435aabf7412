import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createPrediction } from '../../../src/predict/client.js';
import { SetupFailedError, waitUntilReady } from '../../../src/predict/health.js';

// The runtime's HTTP edge against scripted servers: recorded requests, not mocks.
let server: Server | undefined;
const requests: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }> = [];

async function serve(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<number> {
  requests.length = 0;
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      requests.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

afterEach(async () => {
  const current = server;
  server = undefined;
  if (!current) return;
  current.closeAllConnections();
  await new Promise((resolve) => current.close(resolve));
});

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

describe('waitUntilReady', () => {
  it('polls through STARTING to READY', async () => {
    let calls = 0;
    const port = await serve((_req, res) => json(res, 200, { status: ++calls < 3 ? 'STARTING' : 'READY' }));
    expect((await waitUntilReady(port, { timeoutMs: 5000, intervalMs: 5 })).status).toBe('READY');
    expect(calls).toBe(3);
  });

  it('fails on SETUP_FAILED with the runtime\'s own words, made short', async () => {
    const logs = 'worker setup failed: worker setup failed (slot 1): Setup failed: setup failed: RuntimeError: no weights';
    const port = await serve((_req, res) => json(res, 200, { status: 'SETUP_FAILED', setup: { status: 'failed', logs } }));
    const error = await waitUntilReady(port, { timeoutMs: 5000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SetupFailedError);
    expect((error as Error).message).toBe('Model setup failed: RuntimeError: no weights');
  });

  it('fails on a status that never becomes READY, on a vanished container, and at the deadline', async () => {
    const port = await serve((_req, res) => json(res, 200, { status: 'DEFUNCT' }));
    await expect(waitUntilReady(port, { timeoutMs: 5000 })).rejects.toThrow('Container healthcheck returned unexpected status: DEFUNCT');
    await expect(waitUntilReady(1, { timeoutMs: 5000, containerRunning: async () => false })).rejects.toThrow('Container exited unexpectedly');
    await expect(waitUntilReady(1, { timeoutMs: 100, intervalMs: 10 })).rejects.toThrow('the model was not ready after 0 s (last status: no answer)');
  });

  it('stops waiting when aborted', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await expect(waitUntilReady(1, { timeoutMs: 60_000, signal: controller.signal })).rejects.toThrow();
  });
});

describe('createPrediction', () => {
  it('POSTs id, input and context, and returns the final state', async () => {
    const port = await serve((_req, res) => json(res, 200, { id: 'p1', status: 'succeeded', output: 'hi', logs: '', metrics: { predict_time: 0.1 } }));
    const response = await createPrediction({ port, mode: 'predict', id: 'p1', input: { text: 'x' }, context: { replicate_api_token: 't' } });
    expect(response.output).toBe('hi');
    expect(requests[0]!.url).toBe('/predictions');
    expect(JSON.parse(requests[0]!.body)).toEqual({ id: 'p1', input: { text: 'x' }, context: { replicate_api_token: 't' } });
  });

  it('trainings go to /trainings', async () => {
    const port = await serve((_req, res) => json(res, 200, { status: 'succeeded', output: 1 }));
    await createPrediction({ port, mode: 'train', id: 't1', input: {} });
    expect(requests[0]!.url).toBe('/trainings');
  });

  it('reads server-sent events: chunks and logs as they come, the completed state at the end', async () => {
    const port = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('event: start\ndata: {"id":"p1","status":"processing"}\n\n');
      res.write('event: log\ndata: {"source":"stdout","data":"working\\n"}\n\n');
      res.write('event: output\ndata: {"chunk":"a","index":0}\n\nevent: output\ndata: {"chunk":"b","index":1}\n\n');
      res.end('event: completed\ndata: {"id":"p1","status":"succeeded","output":["a","b"]}\n\n');
    });
    const chunks: unknown[] = [];
    const logs: string[] = [];
    const response = await createPrediction({
      port, mode: 'predict', id: 'p1', input: {}, stream: true,
      onOutput: (chunk) => void chunks.push(chunk),
      onLog: (_s, text) => logs.push(text),
    });
    expect(requests[0]!.headers.accept).toBe('text/event-stream');
    expect(chunks).toEqual(['a', 'b']);
    expect(logs).toEqual(['working\n']);
    expect(response.output).toEqual(['a', 'b']);
  });

  it('words a 422 as upstream does, with the command the user typed', async () => {
    const port = await serve((_req, res) => json(res, 422, { detail: [{ loc: ['body', 'input', 'count'], msg: '0 is less than the minimum of 1', type: 'value_error' }] }));
    const error = (await createPrediction({ port, mode: 'predict', id: 'p', input: {}, commandName: 'predict' }).catch((e: unknown) => e)) as Error;
    expect(error.message).toContain('The inputs you passed could not be validated:\n\n- count: 0 is less than the minimum of 1');
    expect(error.message).toContain('cog predict -i path=@image.jpg');
  });

  it('names the status of any other refusal', async () => {
    const port = await serve((_req, res) => json(res, 409, { error: 'At capacity - all prediction slots busy', status: 'failed' }));
    await expect(createPrediction({ port, mode: 'predict', id: 'p', input: {} })).rejects.toThrow(
      'Failed to run prediction: /predictions call returned status 409: At capacity - all prediction slots busy',
    );
  });

  it('on abort, cancels the prediction by id before giving up', async () => {
    const port = await serve((req, res) => {
      if (req.url === '/predictions') return; // never answers: a long prediction
      json(res, 200, {});
    });
    const controller = new AbortController();
    const pending = createPrediction({ port, mode: 'predict', id: 'pred 1', input: {}, signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 100));
    controller.abort();
    await expect(pending).rejects.toThrow();
    expect(requests.map((r) => `${r.method} ${r.url}`)).toContain('POST /predictions/pred%201/cancel');
  });
});
