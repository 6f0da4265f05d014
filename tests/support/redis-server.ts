import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { freePort } from './ports.ts';
import { until } from './wait.ts';

/**
 * A redis-server of a test's own, on a free port, persisting every write to
 * an append-only file in a temporary folder, so it can be stopped and started
 * again without losing what it held — and without touching the Redis other
 * tests share.
 */
export class RedisServer {
  private proc: ReturnType<typeof Bun.spawn> | undefined;
  private readonly output: string[] = [];

  private constructor(
    readonly port: number,
    readonly dir: string,
    /** More redis-server arguments, e.g. `['--maxmemory', '20mb']`. */
    readonly args: string[] = [],
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(args: string[] = []): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), await mkdtemp(join(tmpdir(), 'kadr-redis-')), args);
    await server.launch();
    return server;
  }

  /** Starts (again) on the same port and folder, and waits until it answers PING with the data loaded. */
  async launch(): Promise<void> {
    if (this.proc && this.proc.exitCode === null && this.proc.signalCode === null) throw new Error('redis-server is running');
    this.proc = Bun.spawn(
      ['redis-server', '--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir,
        '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', ...this.args],
      { stdout: 'pipe', stderr: 'pipe' },
    );
    void (async () => {
      for await (const chunk of this.proc!.stdout as ReadableStream<Uint8Array>) this.output.push(new TextDecoder().decode(chunk));
    })();
    await until('redis-server answering PING', () => this.ping(), 10_000, { explain: () => this.output.join('') });
  }

  /** A graceful stop (SIGTERM): Redis writes what it holds and exits. */
  async shutdown(): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    await proc.exited;
  }

  /** Stops it however it must and removes its folder; safe to call twice. */
  async destroy(): Promise<void> {
    const proc = this.proc;
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await proc.exited;
    }
    await rm(this.dir, { recursive: true, force: true });
  }

  private ping(): Promise<boolean> {
    return redisAnswers(this.url);
  }
}

/** True when a Redis at `url` answers PING now (one try, no reconnecting). */
export async function redisAnswers(url: string): Promise<boolean> {
  const client = createClient({ url, socket: { reconnectStrategy: false, connectTimeout: 1000 } });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    await client.close().catch(() => {});
  }
}
