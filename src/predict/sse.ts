/** One server-sent event (the runtime's `start`, `output`, `log`, `metric`, `completed`, `error`). */
export interface ServerSentEvent {
  event: string;
  data: string;
}

/**
 * Reads server-sent events from a byte stream as they arrive (the WHATWG event-stream format):
 * `event:` and `data:` fields, a blank line ends an event, `:` lines are comments (the runtime's
 * keep-alives). Chunk boundaries may fall anywhere, even inside a UTF-8 character.
 */
export async function* readServerSentEvents(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<ServerSentEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  let event = '';
  let data: string[] = [];
  const take = function* (final: boolean): Generator<ServerSentEvent> {
    let newline: number;
    while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
      // A lone \r at the very end may be half of \r\n: wait for the next chunk.
      if (!final && buffer[newline] === '\r' && newline === buffer.length - 1) break;
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
      if (line === '') {
        if (data.length > 0 || event) yield { event: event || 'message', data: data.join('\n') };
        event = '';
        data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
  };
  for await (const chunk of body) {
    buffer += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    yield* take(false);
  }
  buffer += decoder.decode();
  yield* take(true);
}
