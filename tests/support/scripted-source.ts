/**
 * An image server on loopback that answers each path from a script a test
 * sets: `answers[path]` is answered in turn, the last answer repeating; a path
 * with none answers 404. `served` counts how often each path was asked for.
 */
export class ScriptedSource {
  /** How often each path was asked for. */
  readonly served: Record<string, number> = {};
  /** What each path answers in turn (the last answer repeats). */
  readonly answers: Record<string, Array<() => Response>> = {};
  private readonly server: ReturnType<typeof Bun.serve>;

  private constructor() {
    this.server = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch: (req) => {
        const path = new URL(req.url).pathname;
        this.served[path] = (this.served[path] ?? 0) + 1;
        const queue = this.answers[path] ?? [];
        return (queue.length > 1 ? queue.shift()! : queue[0])?.() ?? new Response('no such image', { status: 404 });
      },
    });
  }

  static start(): ScriptedSource {
    return new ScriptedSource();
  }

  get port(): number {
    return this.server.port!;
  }

  /** The address of `path` on it. */
  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  stop(): void {
    this.server.stop(true);
  }
}
