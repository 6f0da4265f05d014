import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { redisAnswers } from '../redis-server.ts';
import { openStore } from '../../../shared/storage/open-store.ts';
import type { ObjectStore } from '../../../shared/storage/store.ts';
import type { CheckedSystem } from '../checked-system.ts';
import type { LoadOptions } from '../load.ts';
import { uniqueName } from '../namespace.ts';
import { S3Server } from '../s3-server.ts';
import { logLines, spawnCollecting, stopAll, waitForOutput, type Spawned } from '../spawned.ts';
import { TcpProxy } from '../tcp-proxy.ts';
import type { ServiceName } from '../system.ts';
import { until } from '../wait.ts';
import { PG_PORT, REDIS_PORT, S3_PORT, startPostgres, startRedis } from './infra.ts';
import type { ClientReport } from './load-client.ts';
import { Network, sweepLeftovers } from './network.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const API_PORT = 8080;
const DATABASE = 'kadr';

/** The hosts, in address order: infra is `<SUBNET>.1`. */
export const HOSTS = ['infra', 'api', 'proc1', 'proc2', 'saver', 'client'] as const;
export type HostName = (typeof HOSTS)[number];

export interface HostService extends Spawned {
  name: string;
  service: ServiceName;
  host: HostName;
  consumer: string;
}

/**
 * kadr spread over hosts made of network namespaces (see network.ts): infra
 * runs Redis, a PostgreSQL cluster of its own and the S3 server; api, proc1,
 * proc2 and saver each run one service; the load client runs on `client`.
 * Every service reaches the others only by infra's address; there is no
 * shared folder. The test process itself sits outside all of it and reaches
 * infra for its checks through a relay on infra (Unix sockets, see relay.ts)
 * and TCP proxies on 127.0.0.1. `stop()` removes every process, namespace,
 * link and file, and so does a crash handler or the next run's sweep.
 */
export class HostsSystem implements CheckedSystem {
  readonly services: HostService[] = [];
  /** Everything else it started: infra servers, the relay, load clients. */
  private readonly others: Spawned[] = [];
  private readonly proxies: TcpProxy[] = [];
  private s3: S3Server | undefined;
  private s3CheckEndpoint = '';
  redisUrl = '';
  databaseUrl = '';
  /** The environment every service shares; each adds its own LOG_DIR and CONSUMER_NAME. */
  readonly env: Record<string, string>;

  private constructor(readonly net: Network) {
    const infra = net.host('infra').address;
    this.env = {
      ...(process.env as Record<string, string>),
      REDIS_URL: `redis://${infra}:${REDIS_PORT}`,
      DATABASE_URL: `postgres://postgres@${infra}:${PG_PORT}/${DATABASE}`,
      KEY_PREFIX: `${uniqueName('h')}:`,
      LOG_LEVEL: 'info',
      SHUTDOWN_TIMEOUT_MS: '10000',
    };
  }

  /** The API as the client host reaches it. */
  get baseUrl(): string {
    return `http://${this.net.host('api').address}:${API_PORT}`;
  }

  /** Where a service's private files go (its logs; an images folder it must never need). */
  private hostDir(name: string): string {
    return join(this.net.dir, 'hosts', name);
  }

  /** Builds the hosts and starts everything; on failure removes what it made and throws. */
  static async start(opts: { env?: Record<string, string> } = {}): Promise<HostsSystem> {
    const swept = sweepLeftovers();
    if (swept.length) process.stdout.write(`[hosts] removed leftovers of crashed runs: ${swept.join(', ')}\n`);
    const system = new HostsSystem(Network.create([...HOSTS]));
    Object.assign(system.env, opts.env);
    try {
      await system.startInfra();
      await system.startServices();
    } catch (err) {
      await system.stop();
      throw err;
    }
    return system;
  }

  private async startInfra(): Promise<void> {
    const { net } = this;
    // Readable by the postgres user, who owns the data folder inside.
    mkdirSync(net.dir, { mode: 0o755 });
    const infra = net.host('infra').address;
    const redis = startRedis(net, 'infra');
    this.others.push(redis);
    this.s3 = await S3Server.start({ address: infra, port: S3_PORT, prefix: net.exec('infra'), dir: join(net.dir, 's3') });
    this.others.push(await startPostgres(net, 'infra', net.dir));
    const relay = spawnCollecting([
      ...net.exec('infra'), process.execPath, fileURLToPath(new URL('./relay.ts', import.meta.url)),
      `${net.dir}/redis.sock=${infra}:${REDIS_PORT}`, `${net.dir}/pg.sock=${infra}:${PG_PORT}`, `${net.dir}/s3.sock=${infra}:${S3_PORT}`,
    ]);
    this.others.push(relay);
    await waitForOutput('relay', relay, 'relay ready', 15_000);
    const [r, p, s] = await Promise.all(['redis', 'pg', 's3'].map((n) => TcpProxy.start({ path: `${net.dir}/${n}.sock` })));
    this.proxies.push(r!, p!, s!);
    this.redisUrl = `redis://127.0.0.1:${r!.port}`;
    this.s3CheckEndpoint = `http://127.0.0.1:${s!.port}`;
    await until('redis answering on infra', () => this.redisAnswers(), 15_000, { explain: () => redis.output.join('') });
    await until('s3rver answering on infra', () => this.s3!.answers(this.s3CheckEndpoint), 15_000, { explain: () => this.s3!.output.join('') });
    const admin = postgres(`postgres://postgres@127.0.0.1:${p!.port}/postgres`, { max: 1, onnotice: () => {} });
    try {
      await admin.unsafe(`create database ${DATABASE}`);
    } finally {
      await admin.end();
    }
    this.databaseUrl = `postgres://postgres@127.0.0.1:${p!.port}/${DATABASE}`;
    Object.assign(this.env, this.s3.env());
  }

  private redisAnswers(): Promise<boolean> {
    return redisAnswers(this.redisUrl);
  }

  /** As TestSystem.start: the saver migrates the fresh database before the others start. */
  private async startServices(): Promise<void> {
    this.spawn('saver', 'saver', 'saver');
    await this.waitForLog('saver', 'saver started', 30_000);
    this.spawn('api', 'api', 'api', { HOST: this.net.host('api').address, PORT: String(API_PORT) });
    this.spawn('processor', 'processor-1', 'proc1');
    this.spawn('processor', 'processor-2', 'proc2');
    await this.waitForLog('api', 'api listening', 30_000);
    for (const name of ['processor-1', 'processor-2']) await this.waitForLog(name, 'processor started', 30_000);
  }

  private spawn(service: ServiceName, name: string, host: HostName, extraEnv: Record<string, string> = {}): HostService {
    const consumer = `${name}-${Math.random().toString(36).slice(2, 6)}`;
    const spawned = spawnCollecting([...this.net.exec(host), process.execPath, `${service}/main.ts`], {
      cwd: ROOT,
      env: {
        ...this.env,
        CONSUMER_NAME: consumer,
        LOG_DIR: join(this.hostDir(host), 'logs'),
        // Unused with the S3 store; its own anyway, so no two hosts could share one.
        IMAGES_DIR: join(this.hostDir(host), 'images'),
        ...extraEnv,
      },
    });
    const running: HostService = { name, service, host, consumer, ...spawned };
    this.services.push(running);
    return running;
  }

  service(name: string): HostService {
    const found = this.services.find((s) => s.name === name);
    if (!found) throw new Error(`no service ${name}`);
    return found;
  }

  waitForLog(name: string, text: string, timeoutMs: number): Promise<void> {
    return waitForOutput(name, this.service(name), text, timeoutMs);
  }

  /** The JSON log lines `name` wrote with this `msg`. */
  logLines(name: string, msg: string): Array<Record<string, unknown>> {
    return logLines([this.service(name)], msg);
  }

  allAlive(): boolean {
    return this.services.every((s) => s.proc.exitCode === null && s.proc.signalCode === null);
  }

  /**
   * Runs the load client on the client host (load-client.ts) and resolves
   * with its report once it has posted everything.
   */
  async runLoad(load: LoadOptions): Promise<ClientReport> {
    const client = spawnCollecting([
      ...this.net.exec('client'), process.execPath, fileURLToPath(new URL('./load-client.ts', import.meta.url)),
      JSON.stringify({ baseUrl: this.baseUrl, load }),
    ], { cwd: ROOT });
    this.others.push(client);
    const code = await client.proc.exited;
    const out = client.output.join('');
    if (code !== 0) throw new Error(`the load client failed (${code}):\n${out}`);
    return JSON.parse(out.trim().split('\n').at(-1)!) as ClientReport;
  }

  store(): ObjectStore {
    return openStore(this.s3!.storage('', this.s3CheckEndpoint));
  }

  objects(): Promise<string[]> {
    return this.s3!.keys('', this.s3CheckEndpoint);
  }

  /**
   * Stops the services (SIGTERM, so they drain), then infra, then removes
   * every namespace, link, process and file; safe after a failed start.
   */
  async stop(): Promise<void> {
    try {
      await stopAll(this.services.map((s) => s.proc), 12_000);
      await Promise.allSettled(this.proxies.map((p) => p.close()));
      await stopAll(this.others.map((s) => s.proc), 5000);
      await this.s3?.stop();
    } finally {
      this.net.destroy();
    }
  }
}
