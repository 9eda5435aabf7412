import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ResultPrinter } from '../../../src/predict/results.js';
import type { SchemaNode } from '../../../src/predict/schema.js';
import { recordingLogger } from '../../../src/ui/logger.js';

function outputDocument(output: SchemaNode): SchemaNode {
  return { components: { schemas: { Output: output } } };
}

function printer(output: SchemaNode, options: { json?: boolean; writeToDisk?: boolean; destination?: string } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'cogpack-results-'));
  const stdout: string[] = [];
  let raw = '';
  const stderr: string[] = [];
  const results = new ResultPrinter({
    document: outputDocument(output),
    mode: 'predict',
    json: options.json ?? false,
    destination: path.join(dir, options.destination ?? (options.json ? 'output.json' : 'output')),
    writeToDisk: options.writeToDisk ?? false,
    print: (line) => stdout.push(line),
    write: (text) => (raw += text),
    logger: recordingLogger(stderr),
  });
  return { results, dir, stdout, stderr, raw: () => raw };
}

const png = `data:image/png;base64,${Buffer.from('PNG').toString('base64')}`;

describe('ResultPrinter: upstream output rules', () => {
  it('prints a string raw and anything else as indented JSON', async () => {
    const text = printer({ type: 'string' });
    await text.results.finish({ status: 'succeeded', output: 'hello\nworld' }, { logsShown: false });
    expect(text.stdout).toEqual(['hello\nworld']);
    const number = printer({ type: 'integer' });
    await number.results.finish({ status: 'succeeded', output: 3 }, { logsShown: false });
    expect(number.stdout).toEqual(['3']);
    const object = printer({ type: 'object' });
    await object.results.finish({ status: 'succeeded', output: { a: [1] } }, { logsShown: false });
    expect(object.stdout).toEqual(['{\n  "a": [\n    1\n  ]\n}']);
  });

  it('writes a file output as output.<ext> and prints nothing on stdout', async () => {
    const run = printer({ type: 'string', format: 'uri' });
    const result = await run.results.finish({ status: 'succeeded', output: png }, { logsShown: false });
    expect(result.files).toEqual([path.join(run.dir, 'output.png')]);
    expect(readFileSync(path.join(run.dir, 'output.png'), 'utf8')).toBe('PNG');
    expect(run.stdout).toEqual([]);
    expect(run.stderr).toContain(`Written output to: ${path.join(run.dir, 'output.png')}`);
  });

  it('writes a list of files as output.0.<ext>, output.1.<ext>', async () => {
    const run = printer({ type: 'array', items: { type: 'string', format: 'uri' } });
    await run.results.finish({ status: 'succeeded', output: [png, 'data:text/plain;base64,aGk='] }, { logsShown: false });
    expect(readdirSync(run.dir).sort()).toEqual(['output.0.png', 'output.1.txt']);
  });

  it('streams iterator chunks as they come, and does not print them again', async () => {
    const run = printer({ type: 'array', items: { type: 'string' }, 'x-cog-array-type': 'iterator' });
    await run.results.chunk('a', 0);
    await run.results.chunk('b', 1);
    expect(run.stdout).toEqual(['a', 'b']);
    await run.results.finish({ status: 'succeeded', output: ['a', 'b'] }, { logsShown: true });
    expect(run.stdout).toEqual(['a', 'b']);
  });

  it('joins a ConcatenateIterator on one line', async () => {
    const run = printer({ type: 'array', items: { type: 'string' }, 'x-cog-array-type': 'iterator', 'x-cog-array-display': 'concatenate' });
    for (const [i, token] of ['Hel', 'lo', '!'].entries()) await run.results.chunk(token, i);
    await run.results.finish({ status: 'succeeded', output: ['Hel', 'lo', '!'] }, { logsShown: true });
    expect(run.raw()).toBe('Hello!\n');
  });

  it('writes streamed files as they come, once', async () => {
    const run = printer({ type: 'array', items: { type: 'string', format: 'uri' }, 'x-cog-array-type': 'iterator' });
    await run.results.chunk(png, 0);
    expect(readdirSync(run.dir)).toEqual(['output.0.png']);
    const result = await run.results.finish({ status: 'succeeded', output: [png] }, { logsShown: true });
    expect(result.output).toEqual([path.join(run.dir, 'output.0.png')]);
    expect(run.stderr.filter((l) => l.startsWith('Written output')).length).toBe(1);
  });

  it('--json prints status, output, error, logs and metrics, files written next to output.json', async () => {
    const run = printer({ type: 'string', format: 'uri' }, { json: true });
    await run.results.finish({ status: 'succeeded', output: png, logs: 'hi\n', metrics: { predict_time: 0.1, tokens: 3 } }, { logsShown: false });
    expect(JSON.parse(run.stdout[0]!)).toEqual({
      status: 'succeeded',
      output: path.join(run.dir, 'output.png'),
      error: '',
      logs: 'hi\n',
      metrics: { predict_time: 0.1, tokens: 3 },
    });
  });

  it('-o writes the result to the file instead of stdout', async () => {
    const run = printer({ type: 'string' }, { writeToDisk: true, destination: 'answer.txt' });
    await run.results.finish({ status: 'succeeded', output: 'hi' }, { logsShown: false });
    expect(run.stdout).toEqual([]);
    expect(readFileSync(path.join(run.dir, 'answer.txt'), 'utf8')).toBe('hi');
  });

  it('a failed prediction is an error with the model\'s message, after its logs', async () => {
    const run = printer({ type: 'string' });
    await expect(run.results.finish({ status: 'failed', error: 'boom', logs: 'working\n' }, { logsShown: false })).rejects.toThrow(
      'Prediction failed with status "failed": boom',
    );
    expect(run.stderr).toContain('working');
    const json = printer({ type: 'string' }, { json: true });
    await expect(json.results.finish({ status: 'canceled' }, { logsShown: false })).rejects.toThrow('status "canceled"');
    expect(JSON.parse(json.stdout[0]!).status).toBe('canceled');
  });

  it('says so when there is no output', async () => {
    const run = printer({ type: 'string' });
    await run.results.finish({ status: 'succeeded', output: null }, { logsShown: false });
    expect(run.stderr.join('\n')).toContain('No output generated');
  });
});
