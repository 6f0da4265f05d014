/** One POST the receiver got, and what it answered. */
export interface ReceivedWebhook {
  path: string;
  headers: Record<string, string>;
  body: string;
  answered: number;
}

/**
 * A webhook receiver on 127.0.0.1 for tests: records every request and
 * answers each path with the statuses it was told to, in order, then 200.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private readonly scripts = new Map<string, number[]>();
  private constructor(private readonly server: ReturnType<typeof Bun.serve>) {}

  static start(port = 0): WebhookReceiver {
    let receiver: WebhookReceiver | undefined;
    const server = Bun.serve({
      hostname: '127.0.0.1',
      port,
      fetch: async (req) => {
        const path = new URL(req.url).pathname;
        const body = await req.text();
        const answered = receiver!.scripts.get(path)?.shift() ?? 200;
        receiver!.received.push({ path, headers: Object.fromEntries(req.headers), body, answered });
        return new Response(null, { status: answered });
      },
    });
    receiver = new WebhookReceiver(server);
    return receiver;
  }

  get port(): number {
    return this.server.port!;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** The next answers for `path`; after them it answers 200. */
  answer(path: string, ...statuses: number[]): void {
    this.scripts.set(path, statuses);
  }

  at(path: string): ReceivedWebhook[] {
    return this.received.filter((r) => r.path === path);
  }

  async stop(): Promise<void> {
    await this.server.stop(true);
  }
}
