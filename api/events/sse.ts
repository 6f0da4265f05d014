import { SECURITY_HEADERS } from '../http-errors.ts';

/** What a stream's producer gets: send an event, or end the stream. */
export interface SseSink {
  send(event: string, data: unknown): void;
  end(): void;
}

/** Comments every this often keep proxies and idle timers from closing a quiet stream. */
export const HEARTBEAT_MS = 15_000;

/**
 * Every open event stream of this process, so shutdown can end them: an open
 * stream is an in-flight request, and the server would otherwise wait for it
 * until the shutdown deadline.
 */
export class SseStreams {
  private readonly open = new Set<SseSink>();
  private closed = false;

  /**
   * An event stream. `start` is called once with the sink and returns its
   * cleanup, which runs exactly once: when the producer ends the stream, the
   * client goes away, or `closeAll()` runs. Do whatever can fail (and should
   * answer with an HTTP error) before calling this: once the stream is open
   * its status is 200.
   */
  response(signal: AbortSignal, start: (sink: SseSink) => () => void): Response {
    const encoder = new TextEncoder();
    const streams = this.open;
    let sink!: SseSink;
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        let ended = false;
        let heartbeat: ReturnType<typeof setInterval> | undefined;
        let cleanup: (() => void) | undefined;
        const write = (chunk: string) => {
          if (ended) return;
          try {
            controller.enqueue(encoder.encode(chunk));
          } catch {
            finish(); // the client is gone
          }
        };
        const finish = () => {
          if (ended) return;
          ended = true;
          clearInterval(heartbeat);
          signal.removeEventListener('abort', finish);
          streams.delete(sink);
          cleanup?.();
          try {
            controller.close();
          } catch {
            // already closed by a cancel
          }
        };
        sink = {
          send: (event, data) => write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`),
          end: finish,
        };
        const refused = this.closed || signal.aborted;
        if (!refused) {
          streams.add(sink);
          signal.addEventListener('abort', finish, { once: true });
          heartbeat = setInterval(() => write(': keep-alive\n\n'), HEARTBEAT_MS);
          // Ask the browser to wait a second before reconnecting after a drop.
          write('retry: 1000\n\n');
        }
        // A refused stream still hands the producer its sink, so whatever it
        // set up beforehand is released by its cleanup.
        const made = start(sink);
        if (ended) made();
        else cleanup = made;
        if (refused) finish();
      },
      cancel: () => sink?.end(),
    });
    return new Response(body, {
      headers: {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        // Tells nginx-style proxies not to buffer the stream.
        'x-accel-buffering': 'no',
        ...SECURITY_HEADERS,
      },
    });
  }

  get size(): number {
    return this.open.size;
  }

  /** Ends every open stream; later streams end at once. Safe to call twice. */
  closeAll(): void {
    this.closed = true;
    for (const sink of [...this.open]) sink.end();
  }
}
