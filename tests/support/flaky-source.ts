/**
 * An image server on loopback whose answer a test switches: `down` answers
 * 500 (a transient source failure, retried and then dead-lettered with the
 * source's address, not bytes), `up` serves the photo. A job fetched from it
 * while it is down ends as a dead letter that a retry can complete once it is
 * up: a retryable dead letter made the real way.
 */
export class FlakySource {
  up = false;
  private constructor(private readonly server: ReturnType<typeof Bun.serve>) {}

  static start(photo: Uint8Array<ArrayBuffer>): FlakySource {
    let source: FlakySource;
    const server = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch: () =>
        source.up
          ? new Response(photo, { headers: { 'content-type': 'image/jpeg' } })
          : new Response('source down for the test', { status: 500 }),
    });
    source = new FlakySource(server);
    return source;
  }

  get url(): string {
    return `http://127.0.0.1:${this.server.port}/photo.jpg`;
  }

  /** What the services need to fetch from it (the SSRF guard refuses loopback otherwise), and few deliveries so a dead letter comes fast. */
  env(): Record<string, string> {
    return { FETCH_ALLOW_NETWORKS: '127.0.0.1/32', FETCH_ALLOW_PORTS: String(this.server.port), MAX_DELIVERIES: '2' };
  }

  stop(): void {
    this.server.stop(true);
  }
}
