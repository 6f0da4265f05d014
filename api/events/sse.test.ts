import { describe, expect, test } from 'bun:test';
import { SseStreams } from './sse.ts';

describe('SseStreams', () => {
  test('a stream carries named JSON events, and ending it runs its cleanup once', async () => {
    const streams = new SseStreams();
    let cleanups = 0;
    const res = streams.response(new AbortController().signal, (sink) => {
      sink.send('status', { id: 'a', status: 'done' });
      sink.end();
      sink.end();
      return () => cleanups++;
    });
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const text = await res.text();
    expect(text).toContain('event: status\ndata: {"id":"a","status":"done"}\n\n');
    expect(cleanups).toBe(1);
    expect(streams.size).toBe(0);
  });

  test('closeAll ends every open stream and any opened after it', async () => {
    const streams = new SseStreams();
    let cleanups = 0;
    const open = streams.response(new AbortController().signal, () => () => cleanups++);
    expect(streams.size).toBe(1);
    streams.closeAll();
    await open.text();
    const late = streams.response(new AbortController().signal, () => () => cleanups++);
    await late.text();
    expect(cleanups).toBe(2);
    expect(streams.size).toBe(0);
  });

  test('the client going away (abort) ends the stream and cleans up', async () => {
    const streams = new SseStreams();
    const controller = new AbortController();
    let cleanups = 0;
    const res = streams.response(controller.signal, () => () => cleanups++);
    controller.abort();
    await res.text();
    expect(cleanups).toBe(1);
    expect(streams.size).toBe(0);
  });
});
