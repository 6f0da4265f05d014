/**
 * Run inside a host's namespace: `bun relay.ts <socket>=<host>:<port> …`.
 * Listens on each Unix socket (a file, which the test process outside the
 * namespace can open) and forwards every connection to that host:port over
 * the host's own network, so the test's checks reach Redis, PostgreSQL and
 * the S3 server without adding anything to the machine's root namespace.
 * Prints `relay ready` once every socket listens.
 */
import { connect, createServer, type Socket } from 'node:net';

function bridge(client: Socket, host: string, port: number): void {
  const upstream = connect(port, host);
  const pair = [client, upstream];
  for (const s of pair) {
    // Either side failing or ending ends both.
    s.on('error', () => pair.forEach((p) => p.destroy()));
    s.on('close', () => pair.forEach((p) => p.destroy()));
  }
  client.pipe(upstream);
  upstream.pipe(client);
}

await Promise.all(
  process.argv.slice(2).map((arg) => {
    const m = /^(.+)=([^=:]+):(\d+)$/.exec(arg);
    if (!m) throw new Error(`expected <socket>=<host>:<port>, got ${JSON.stringify(arg)}`);
    const [, path, host, port] = m;
    const server = createServer((client) => bridge(client, host!, Number(port)));
    return new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => resolve());
    });
  }),
);
process.stdout.write('relay ready\n');
