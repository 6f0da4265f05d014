import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StorageConfig } from '../../shared/config.ts';
import type { CheckedSystem } from './checked-system.ts';
import { priorityPrefix, type ProcessorPriority } from '../../shared/cpu-priority.ts';
import { openStore } from '../../shared/storage/open-store.ts';
import type { ObjectStore } from '../../shared/storage/store.ts';
import { createTestDatabase, deleteRedisPrefix, TEST_REDIS_URL, uniqueName } from './namespace.ts';
import type { FakeClock } from './fake-clock.ts';
import { freePort } from './ports.ts';
import { S3Server } from './s3-server.ts';
import { logLines, spawnCollecting, stopAll, waitForOutput, type Spawned } from './spawned.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export type ServiceName = 'api' | 'processor' | 'saver';

export interface RunningService extends Spawned {
  name: string;
  service: ServiceName;
  /** Its name in the consumer group; a restart may reuse it to resume its own pending entries. */
  consumer: string;
}

export interface StartOptions {
  processors?: number;
  /** Savers are named `saver`, `saver-2`, … */
  savers?: number;
  env?: Record<string, string>;
  processorPriority?: ProcessorPriority;
  /** The services reach PostgreSQL through this port (a proxy), not the server's own. */
  pgPort?: number;
  /** `s3` starts an S3 server of the system's own (s3rver) and stores the images there; default `file`. */
  storage?: 'file' | 's3';
  /** The services connect as this role (it must exist), which owns the test database. */
  dbUser?: string;
  /** Runs every instance of a service on a shifted (and steppable) wall clock. */
  clocks?: Partial<Record<ServiceName, FakeClock>>;
}

/**
 * The three real services on a free port with their own database, Redis key
 * prefix, image and log folders. `stop()` ends them and removes all of it.
 */
export class TestSystem implements CheckedSystem {
  readonly services: RunningService[] = [];
  private clocks: StartOptions['clocks'] = {};
  private constructor(
    readonly baseUrl: string,
    readonly env: Record<string, string>,
    readonly dir: string,
    /** The test database reached directly, never through a proxy: for checks. */
    readonly databaseUrl: string,
    private readonly dropDb: () => Promise<void>,
    /** The S3 server the images live in, when started with `storage: 's3'`. */
    readonly s3: S3Server | undefined,
  ) {}

  /** Redis as the checks reach it: the services' own. */
  get redisUrl(): string {
    return this.env.REDIS_URL!;
  }

  /** Where the services keep the images, as they are configured. */
  get storage(): StorageConfig {
    return this.s3 ? this.s3.storage() : { kind: 'file', dir: this.env.IMAGES_DIR! };
  }

  /** The same store the services use, for checks. */
  store(): ObjectStore {
    return openStore(this.storage);
  }

  /** Every object in the store (for the file store every file, temporary ones included). */
  async objects(): Promise<string[]> {
    if (this.s3) return this.s3.keys();
    try {
      const names = await readdir(this.env.IMAGES_DIR!, { recursive: true, withFileTypes: true });
      return names.filter((d) => d.isFile()).map((d) => join(d.parentPath, d.name).slice(this.env.IMAGES_DIR!.length + 1));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  /**
   * `processorPriority` starts the processors at that CPU priority, as
   * `npm start` does (scripts/cpu-priority.ts; the pid stays the service's own).
   */
  static async start(opts: StartOptions = {}): Promise<TestSystem> {
    const db = await createTestDatabase(opts.dbUser);
    const dir = await mkdtemp(join(tmpdir(), 'kadr-test-'));
    const s3 = opts.storage === 's3' ? await S3Server.start() : undefined;
    const port = await freePort();
    const serviceDbUrl = new URL(db.url);
    if (opts.pgPort) serviceDbUrl.port = String(opts.pgPort);
    if (opts.dbUser) serviceDbUrl.username = opts.dbUser;
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      PORT: String(port),
      HOST: '127.0.0.1',
      REDIS_URL: TEST_REDIS_URL,
      DATABASE_URL: serviceDbUrl.toString(),
      KEY_PREFIX: `${uniqueName('t')}:`,
      IMAGES_DIR: join(dir, 'images'),
      LOG_DIR: join(dir, 'logs'),
      LOG_LEVEL: 'info',
      RECLAIM_IDLE_MS: '2000',
      SHUTDOWN_TIMEOUT_MS: '5000',
      ...s3?.env(),
      ...opts.env,
    };
    const system = new TestSystem(`http://127.0.0.1:${port}`, env, dir, db.url, db.drop, s3);
    system.clocks = opts.clocks ?? {};
    try {
      // The saver migrates the fresh database before the API starts serving.
      system.spawn('saver');
      await system.waitForLog('saver', 'saver started', 20_000);
      for (let i = 2; i <= (opts.savers ?? 1); i++) system.spawn('saver', `saver-${i}`);
      system.spawn('api');
      for (let i = 0; i < (opts.processors ?? 1); i++) {
        system.spawn('processor', `processor-${i + 1}`, {}, { priority: opts.processorPriority });
      }
      await system.waitUntilReady(20_000);
      for (const s of system.services.filter((s) => s.service !== 'api')) {
        await system.waitForLog(s.name, `${s.service} started`, 20_000);
      }
    } catch (err) {
      await system.stop();
      throw err;
    }
    return system;
  }

  spawn(
    service: ServiceName,
    name: string = service,
    extraEnv: Record<string, string> = {},
    opts: { priority?: ProcessorPriority; consumer?: string } = {},
  ): RunningService {
    const cmd = [process.execPath, `${service}/main.ts`];
    const consumer = opts.consumer ?? `${name}-${Math.random().toString(36).slice(2, 6)}`;
    const spawned = spawnCollecting([...priorityPrefix(opts.priority ?? 'normal'), ...cmd], {
      cwd: ROOT,
      env: { ...this.env, ...this.clocks?.[service]?.env(), CONSUMER_NAME: consumer, ...extraEnv },
    });
    const running: RunningService = { name, service, consumer, ...spawned };
    this.services.push(running);
    return running;
  }

  service(name: string): RunningService {
    const found = this.services.filter((s) => s.name === name).at(-1);
    if (!found) throw new Error(`no service ${name}`);
    return found;
  }

  /**
   * Starts `name` again (after it exited). `sameConsumer` reuses its consumer
   * name, so it resumes its own pending entries at once; otherwise they wait
   * for RECLAIM_IDLE_MS and go to whichever consumer reclaims them.
   */
  async restart(name: string, opts: { sameConsumer?: boolean } = {}): Promise<RunningService> {
    const old = this.service(name);
    if (old.proc.exitCode === null && old.proc.signalCode === null) throw new Error(`${name} is still running`);
    const started = this.spawn(old.service, name, {}, { consumer: opts.sameConsumer ? old.consumer : undefined });
    if (old.service === 'api') await this.waitUntilReady(20_000);
    else await this.waitForLog(name, `${old.service} started`, 20_000);
    return started;
  }

  /** Sends `signal` and resolves when the process has exited, with how long that took. */
  async signal(name: string, signal: 'SIGTERM' | 'SIGKILL', timeoutMs = 20_000): Promise<{ exitCode: number | null; ms: number }> {
    const { proc } = this.service(name);
    const sent = performance.now();
    proc.kill(signal);
    const exited = await Promise.race([proc.exited.then(() => true), Bun.sleep(timeoutMs).then(() => false)]);
    if (!exited) throw new Error(`${name} did not exit within ${timeoutMs} ms of ${signal}`);
    return { exitCode: proc.exitCode, ms: performance.now() - sent };
  }

  /** How many JSON log lines with this `msg` every incarnation of `name` has written. */
  logCount(name: string, msg: string): number {
    return logLines(this.services.filter((s) => s.name === name), msg).length;
  }

  async waitForLog(name: string, text: string, timeoutMs: number): Promise<void> {
    await waitForOutput(name, this.service(name), text, timeoutMs);
  }

  async waitUntilReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const res = await fetch(`${this.baseUrl}/readyz`);
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      const api = this.service('api');
      if (api.proc.exitCode !== null) throw new Error(`api exited (${api.proc.exitCode}):\n${api.output.join('')}`);
      if (Date.now() > deadline) throw new Error(`api not ready in ${timeoutMs} ms:\n${api.output.join('')}`);
      await Bun.sleep(50);
    }
  }

  /** Polls a job's status until it is done or failed. */
  async waitForJob(id: string, timeoutMs = 30_000): Promise<{ status: string; error?: { code: string; message: string } }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const res = await fetch(`${this.baseUrl}/api/images/${id}/status`);
      if (res.status === 200) {
        const body = (await res.json()) as { status: string; error?: { code: string; message: string } };
        if (body.status === 'done' || body.status === 'failed') return body;
      }
      if (Date.now() > deadline) throw new Error(`job ${id} not finished in ${timeoutMs} ms`);
      await Bun.sleep(50);
    }
  }

  allAlive(): boolean {
    return this.services.every((s) => s.proc.exitCode === null || s.proc.killed);
  }

  async stop(): Promise<void> {
    await stopAll(this.services.map((s) => s.proc));
    await this.dropDb().catch(() => {});
    await deleteRedisPrefix(this.env.KEY_PREFIX!, this.env.REDIS_URL).catch(() => {});
    await this.s3?.stop();
    await rm(this.dir, { recursive: true, force: true });
  }
}
