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

/** Peak and mean of a series, kept as it comes, without the values themselves. */
export class PeakAndMean {
  peak: number | undefined;
  count = 0;
  private sum = 0;

  add(value: number): void {
    if (!Number.isFinite(value)) return;
    if (this.peak === undefined || value > this.peak) this.peak = value;
    this.sum += value;
    this.count++;
  }

  get mean(): number | undefined {
    return this.count ? this.sum / this.count : undefined;
  }
}

/** Bytes the given keys take in Redis (MEMORY USAGE, every element counted); a missing key is 0. */
export async function keysMemory(redis: RedisProbe, keys: string[]): Promise<number> {
  const sizes = await Promise.all(keys.map((k) => redis.sendCommand(['MEMORY', 'USAGE', k, 'SAMPLES', '0'])));
  return sizes.reduce<number>((sum, v) => sum + (v === null ? 0 : Number(v)), 0);
}

/**
 * Redis memory every `intervalMs` (100 ms by default), apart from the other
 * samples: a payload sits in a stream for well under a second when the
 * workers keep up, so the 500 ms samples could step over the peak. Two
 * series: used_memory of the whole instance, and what the run's own streams
 * take (MEMORY USAGE), which other users of a shared Redis do not disturb. A
 * sample still unanswered when the next is due is not doubled.
 */
export class RedisMemorySampler {
  readonly instance = new PeakAndMean();
  readonly streams = new PeakAndMean();
  private timer: ReturnType<typeof setInterval> | undefined;
  private busy = false;

  constructor(
    private readonly redis: RedisProbe,
    readonly intervalMs: number,
    private readonly streamKeys: string[],
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.sample(), this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  async sample(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const [instance, streams] = await Promise.all([redisUsedMemory(this.redis), keysMemory(this.redis, this.streamKeys)]);
      this.instance.add(instance);
      this.streams.add(streams);
    } catch {
      // A missed sample is only a gap; the run goes on.
    } finally {
      this.busy = false;
    }
  }
}
