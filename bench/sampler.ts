import { createClient } from 'redis';

export interface ServiceProcess {
  name: string;
  pid: number;
}

export interface Sample {
  /** Seconds since the sampler started. */
  t: number;
  accepted: number;
  done: number;
  uploadsQueue?: number;
  captionedQueue?: number;
  redisUsedMemory?: number;
  /** VmRSS in bytes per service name. */
  rss: Record<string, number>;
}

/** Reads VmRSS and VmHWM (peak RSS as the kernel saw it) of a process, in bytes. */
export async function readRss(pid: number): Promise<{ rss: number; hwm: number } | undefined> {
  try {
    const status = await Bun.file(`/proc/${pid}/status`).text();
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return undefined; // the process is gone
  }
}

function probeClient(url: string) {
  return createClient({ url, socket: { connectTimeout: 5000, reconnectStrategy: false } });
}

export type RedisProbe = ReturnType<typeof probeClient>;

export async function connectProbe(url: string): Promise<RedisProbe> {
  const client = probeClient(url);
  client.on('error', () => {});
  await client.connect();
  return client;
}

export async function redisUsedMemory(redis: RedisProbe): Promise<number> {
  const info = String(await redis.sendCommand(['INFO', 'memory']));
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? NaN);
}

export async function streamLength(redis: RedisProbe, key: string): Promise<number> {
  return Number(await redis.sendCommand(['XLEN', key]));
}

/**
 * Takes one sample every `intervalMs`: queue depths and Redis memory (when a
 * Redis connection and key prefix are given) and each service's RSS (when
 * pids are given). A sample still running when the next is due is not doubled.
 */
export class Sampler {
  readonly samples: Sample[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;
  private busy = false;
  private readonly started = performance.now();

  constructor(
    private readonly o: {
      intervalMs: number;
      redis?: RedisProbe;
      uploadsKey?: string;
      captionedKey?: string;
      processes: ServiceProcess[];
      counts: () => { accepted: number; done: number };
    },
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.sample(), this.o.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  async sample(): Promise<Sample | undefined> {
    if (this.busy) return undefined;
    this.busy = true;
    try {
      const { redis, uploadsKey, captionedKey } = this.o;
      const t = (performance.now() - this.started) / 1000;
      const [uploadsQueue, captionedQueue, redisMemory, rss] = await Promise.all([
        redis && uploadsKey ? streamLength(redis, uploadsKey).catch(() => undefined) : undefined,
        redis && captionedKey ? streamLength(redis, captionedKey).catch(() => undefined) : undefined,
        redis ? redisUsedMemory(redis).catch(() => undefined) : undefined,
        Promise.all(this.o.processes.map(async (p) => [p.name, (await readRss(p.pid))?.rss] as const)),
      ]);
      const sample: Sample = { t, ...this.o.counts(), uploadsQueue, captionedQueue, redisUsedMemory: redisMemory, rss: {} };
      for (const [name, bytes] of rss) if (bytes !== undefined) sample.rss[name] = bytes;
      this.samples.push(sample);
      return sample;
    } finally {
      this.busy = false;
    }
  }

  peak(pick: (s: Sample) => number | undefined): number | undefined {
    let best: number | undefined;
    for (const s of this.samples) {
      const v = pick(s);
      if (v !== undefined && Number.isFinite(v) && (best === undefined || v > best)) best = v;
    }
    return best;
  }
}
