export interface SseEvent {
  event: string;
  data: Record<string, unknown>;
  /** performance.now() when the event arrived. */
  at: number;
}

/**
 * Reads a whole event stream, which must end by itself within `timeoutMs`,
 * noting when each event arrived. A response that is not an event stream
 * (an error) is returned unread, with no events.
 */
export async function readSse(url: string, timeoutMs = 15_000): Promise<{ res: Response; events: SseEvent[] }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  const events: SseEvent[] = [];
  if (!res.headers.get('content-type')?.startsWith('text/event-stream')) return { res, events };
  let buffer = '';
  for await (const chunk of res.body!.pipeThrough(new TextDecoderStream())) {
    buffer += chunk;
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.+)$/m.exec(block)?.[1];
      const data = /^data: (.+)$/m.exec(block)?.[1];
      if (event && data) events.push({ event, data: JSON.parse(data), at: performance.now() });
    }
  }
  return { res, events };
}
