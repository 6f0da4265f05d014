import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { PROCESSOR_PRIORITIES, type ProcessorPriority } from '../shared/cpu-priority.ts';

export const BENCH_STORAGES = ['file', 's3'] as const;
export type BenchStorage = (typeof BENCH_STORAGES)[number];

/** What one benchmark run does; from CLI flags, falling back to BENCH_* environment variables. */
export interface BenchOptions {
  images: number;
  concurrency: number;
  processors: number;
  /** CPU priority of the spawned processors; `idle` as `npm start` runs them by default. */
  priority: ProcessorPriority;
  /** An already-running API; then no system is started and no per-process RSS is read. */
  url: string | undefined;
  /** With --url: the deployment's KEY_PREFIX, to sample its queue depth. */
  keyPrefix: string | undefined;
  redisUrl: string;
  soak: boolean;
  /** Two whole-system runs, 1 processor then 2, compared; no render micro-benchmark. */
  scaling: boolean;
  renderIterations: number;
  skipRender: boolean;
  sampleMs: number;
  /** Where the started system keeps images: its own folder, or an S3 server of its own (s3rver). */
  storage: BenchStorage;
  /** One photo (absolute path) every upload posts; undefined: the two 640x480 fixtures, alternating. */
  photo: string | undefined;
  /** INLINE_MAX_BYTES for the started services; undefined leaves their default. */
  inlineMaxBytes: number | undefined;
  /** How often Redis used_memory is sampled for its peak and mean (finer than the other samples). */
  redisSampleMs: number;
}

const USAGE = `usage: bun bench/run.ts [options]
  --images N         uploads to post (default 1000; 10000 with --soak,      env BENCH_IMAGES
                     600 with --scaling)
  --concurrency C    requests in flight (default 32)                        env BENCH_CONCURRENCY
  --processors P     processor processes (default: CPU cores)               env BENCH_PROCESSORS
  --priority P       processors' CPU priority: idle, nice or normal         env BENCH_PRIORITY
                     (default idle, as npm start)
  --url URL          target a running API; skips starting one and RSS       env BENCH_URL
  --key-prefix P     with --url: its KEY_PREFIX, to sample the queue        env BENCH_KEY_PREFIX
  --redis-url URL    Redis to sample (default TEST_REDIS_URL or local)      env BENCH_REDIS_URL
  --storage S        image store of the started system: file (a folder of   env BENCH_STORAGE
                     its own; the default) or s3 (an s3rver of its own)
  --photo PATH       post this one photo every time (e.g.                   env BENCH_PHOTO
                     tests/fixtures/coffee-1920x1280.jpg); default the two
                     640x480 fixtures, alternating
  --inline-max-bytes N  INLINE_MAX_BYTES for the started services           env BENCH_INLINE_MAX_BYTES
                     (payloads above N go by reference; 0: all of them;
                     a large N: none); default the services' own
  --soak             10000 uploads, RSS at start/middle/end                 env BENCH_SOAK=1
  --scaling          the whole system twice, 1 then 2 processors, same N    env BENCH_SCALING=1
                     and C; end-to-end images/s of each and their ratio
                     (target: 2 processors >= 1.7x one; exits 1 below it)
  --render-iterations N   render micro-benchmark iterations (default 200)
  --skip-render      skip the render micro-benchmark
Writes bench/results/<date>.md and a chart <date>.png beside it; <date>-soak.md/.png
with --soak; <date>-scaling.md (and -scaling-1p.png, -scaling-2p.png) with --scaling.`;

function positiveInt(name: string, raw: string | undefined, min = 1): number {
  const n = Number(raw);
  if (raw === undefined || !/^\d+$/.test(raw) || n < min) {
    throw new Error(`${name}: expected an integer >= ${min}, got "${raw ?? ''}"\n${USAGE}`);
  }
  return n;
}

/** A readable file, resolved against the current directory (where `bun run bench` was started). */
function photoPath(raw: string): string {
  const path = resolve(raw);
  if (!existsSync(path) || !statSync(path).isFile()) throw new Error(`--photo: expected an image file, got "${raw}" (${path} is not a file)`);
  return path;
}

export function parseOptions(argv: string[], env: Record<string, string | undefined>): BenchOptions {
  const flags = new Map<string, string>();
  const booleans = new Set(['--soak', '--scaling', '--skip-render', '--help']);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (!name.startsWith('--')) throw new Error(`unexpected argument "${arg}"\n${USAGE}`);
    if (booleans.has(name)) flags.set(name, 'true');
    else if (eq > 0) flags.set(name, arg.slice(eq + 1));
    else if (i + 1 < argv.length) flags.set(name, argv[++i]!);
    else throw new Error(`${name} needs a value\n${USAGE}`);
  }
  if (flags.has('--help')) {
    console.log(USAGE);
    process.exit(0);
  }
  const known = ['--images', '--concurrency', '--processors', '--priority', '--url', '--key-prefix', '--redis-url',
    '--soak', '--scaling', '--render-iterations', '--skip-render', '--storage', '--photo', '--inline-max-bytes'];
  for (const name of flags.keys()) if (!known.includes(name)) throw new Error(`unknown option ${name}\n${USAGE}`);

  const get = (flag: string, envKey: string) => flags.get(flag) ?? (env[envKey] || undefined);
  const on = (flag: string, envKey: string) => {
    const v = get(flag, envKey);
    return v !== undefined && !['0', 'false'].includes(v);
  };
  const soak = on('--soak', 'BENCH_SOAK');
  const scaling = on('--scaling', 'BENCH_SCALING');
  const images = get('--images', 'BENCH_IMAGES');
  const processors = get('--processors', 'BENCH_PROCESSORS');
  const priority = get('--priority', 'BENCH_PRIORITY') ?? 'idle';
  if (!(PROCESSOR_PRIORITIES as readonly string[]).includes(priority)) {
    throw new Error(`--priority: expected one of ${PROCESSOR_PRIORITIES.join(', ')}, got "${priority}"`);
  }
  const iterations = flags.get('--render-iterations');
  const url = get('--url', 'BENCH_URL');
  if (url !== undefined && !/^https?:\/\//.test(url)) throw new Error(`--url: expected an http(s) URL, got "${url}"`);
  const storageRaw = get('--storage', 'BENCH_STORAGE');
  const storage = storageRaw ?? 'file';
  if (!(BENCH_STORAGES as readonly string[]).includes(storage)) {
    throw new Error(`--storage: expected one of ${BENCH_STORAGES.join(', ')}, got "${storage}"`);
  }
  const photo = get('--photo', 'BENCH_PHOTO');
  const inline = get('--inline-max-bytes', 'BENCH_INLINE_MAX_BYTES');
  if (url !== undefined) {
    // These configure services the benchmark starts; a running API has its own settings.
    const own = [storageRaw !== undefined && '--storage', inline !== undefined && '--inline-max-bytes'].filter(Boolean);
    if (own.length) throw new Error(`--url targets a running system with its own settings; drop ${own.join(', ')}`);
  }
  if (scaling) {
    // The scaling check starts the system itself, twice, with the processor counts it compares.
    const clash = [url !== undefined && '--url', processors !== undefined && '--processors', soak && '--soak'].filter(Boolean);
    if (clash.length) throw new Error(`--scaling runs 1 then 2 processors of a system it starts; drop ${clash.join(', ')}`);
  }
  return {
    images: images === undefined ? (soak ? 10_000 : scaling ? 600 : 1000) : positiveInt('--images', images),
    concurrency: positiveInt('--concurrency', get('--concurrency', 'BENCH_CONCURRENCY') ?? '32'),
    processors:
      processors === undefined ? Math.max(1, availableParallelism()) : positiveInt('--processors', processors),
    priority: priority as ProcessorPriority,
    url: url?.replace(/\/+$/, ''),
    keyPrefix: get('--key-prefix', 'BENCH_KEY_PREFIX'),
    redisUrl: get('--redis-url', 'BENCH_REDIS_URL') ?? env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    soak,
    scaling,
    renderIterations: iterations === undefined ? 200 : positiveInt('--render-iterations', iterations),
    skipRender: flags.has('--skip-render'),
    sampleMs: 500,
    storage: storage as BenchStorage,
    photo: photo === undefined ? undefined : photoPath(photo),
    inlineMaxBytes: inline === undefined ? undefined : positiveInt('--inline-max-bytes', inline, 0),
    redisSampleMs: 100,
  };
}
