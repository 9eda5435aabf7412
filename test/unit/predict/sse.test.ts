import { describe, expect, it } from 'vitest';
import { readServerSentEvents } from '../../../src/predict/sse.js';

async function collect(chunks: Array<string | Uint8Array>) {
  const events = [];
  for await (const event of readServerSentEvents((async function* () {
    yield* chunks;
  })())) events.push(event);
  return events;
}

describe('readServerSentEvents', () => {
  it('reads the runtime stream: events, data, comments as keep-alives', async () => {
    const text = ': keep-alive\n\nevent: start\ndata: {"id":"p1"}\n\nevent: output\ndata: {"chunk":"a","index":0}\n\nevent: completed\ndata: {"status":"succeeded"}\n\n';
    expect(await collect([text])).toEqual([
      { event: 'start', data: '{"id":"p1"}' },
      { event: 'output', data: '{"chunk":"a","index":0}' },
      { event: 'completed', data: '{"status":"succeeded"}' },
    ]);
  });

  it('does not care where chunks split: mid-line, mid-CRLF, mid-character', async () => {
    const text = 'event: output\r\ndata: {"chunk":"héllo 😀"}\r\n\r\n';
    const bytes = Buffer.from(text);
    const oneByOne = Array.from(bytes, (b) => Uint8Array.of(b));
    expect(await collect(oneByOne)).toEqual([{ event: 'output', data: '{"chunk":"héllo 😀"}' }]);
  });

  it('joins multi-line data and defaults the event name', async () => {
    expect(await collect(['data: a\ndata: b\n\n', 'data:c\n\n'])).toEqual([
      { event: 'message', data: 'a\nb' },
      { event: 'message', data: 'c' },
    ]);
  });
});
