import { expect, test } from 'bun:test';
import { readEvents } from './event-stream.ts';

function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const c of chunks) controller.enqueue(encoder.encode(c));
      controller.close();
    },
  });
}

async function all(body: ReadableStream<Uint8Array>) {
  const events = [];
  for await (const e of readEvents(body)) events.push(e);
  return events;
}

test('events split across chunks arrive whole, with their names and JSON data', async () => {
  const events = await all(streamOf('event: status\ndata: {"id":"a",', '"status":"done"}\n\nevent: missing\n', 'data: {"id":"b"}\n\n'));
  expect(events).toEqual([
    { event: 'status', data: { id: 'a', status: 'done' } },
    { event: 'missing', data: { id: 'b' } },
  ]);
});

test('heartbeat comments are skipped and CRLF line ends are read like LF', async () => {
  const events = await all(streamOf(': keep-alive\n\n', 'event: batch\r\ndata: {"n":1}\r\n\r\n'));
  expect(events).toEqual([{ event: 'batch', data: { n: 1 } }]);
});

test('an event without a name is a "message", and multi-line data is joined', async () => {
  const events = await all(streamOf('data: [1,\ndata: 2]\n\n'));
  expect(events).toEqual([{ event: 'message', data: [1, 2] }]);
});
