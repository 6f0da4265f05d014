import { connect, createServer, type NetConnectOpts, type Server, type Socket } from 'node:net';
import { freePort } from './ports.ts';

/**
 * A TCP proxy on 127.0.0.1 in front of a real server, so a test can take the
 * server away from the services without stopping it for everyone else.
 * `cut()` is the outage: every open connection is dropped and nothing listens
 * (new connections are refused, as when the server is down); `restore()`
 * listens again on the same port. The target may be a Unix socket (`{ path }`),
 * which is how a test reaches a server inside a network namespace.
 */
export type ProxyTarget = { host: string; port: number } | { path: string };

export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  /** Connections accepted so far, to show the services really came through here. */
  connections = 0;

  private constructor(
    readonly port: number,
    private readonly target: ProxyTarget,
  ) {}

  static async start(target: ProxyTarget): Promise<TcpProxy> {
    const proxy = new TcpProxy(await freePort(), target);
    await proxy.restore();
    return proxy;
  }

  get up(): boolean {
    return this.server !== undefined;
  }

  async restore(): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => this.bridge(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  async cut(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  close(): Promise<void> {
    return this.cut();
  }

  private bridge(client: Socket): void {
    this.connections++;
    const upstream = connect(this.target as NetConnectOpts);
    const pair = [client, upstream];
    for (const s of pair) {
      this.sockets.add(s);
      // Either side failing or ending ends both, as a dropped connection would.
      s.on('error', () => pair.forEach((p) => p.destroy()));
      s.on('close', () => {
        this.sockets.delete(s);
        pair.forEach((p) => p.destroy());
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
