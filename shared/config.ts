import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { PROCESSOR_PRIORITIES, type ProcessorPriority } from './cpu-priority.ts';
import { captionedLimit, entryCost } from './queue/stream-bytes.ts';
import { ConfigProblem, int, num, bool, url, text, secret, path, webhookSecret, schedule, redisDatabase, oneOf, list, cidr, type Parser } from './config-parsers.ts';

/**
 * Every setting kadr reads, resolved once at boot: defaults, then the
 * environment (Bun has already merged `.env` into it). Nothing else in the
 * code base reads process.env.
 */
export interface Config {
  port: number;
  host: string;
  publicUrl: string | undefined;
  redisUrl: string;
  /** The database number in REDIS_URL's path (0 without one): pub/sub channels are shared across databases, so it goes into their names. */
  redisDatabase: number;
  keyPrefix: string;
  databaseUrl: string;
  /** Where images live (STORAGE_URL, or IMAGES_DIR for the file store): see shared/storage. */
  storage: StorageConfig;
  /** `presigned` (S3 only): image and archive reads answer 302 to a presigned URL instead of streaming through the API. */
  storageRedirect: 'none' | 'presigned';
  /** How long a presigned URL stays valid (never past a batch's own expiry). */
  presignTtlSeconds: number;
  /** With the S3 store, uploads and results larger than this travel as an object key, not as bytes in Redis. */
  inlineMaxBytes: number;
  /** Objects written for a job that no live job needs are swept once they are older than this. */
  orphanAgeSeconds: number;
  logDir: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  fontFile: string;
  fontSize: number;
  captionPadding: number;
  captionLineHeight: number;
  jpegQuality: number;
  jpegOptimiseCoding: boolean;
  jpegProgressive: boolean;
  maxUploadBytes: number;
  maxDescriptionLength: number;
  maxInputPixels: number;
  queueMaxLength: number;
  /**
   * Uploads are refused (503 queue_full) while Redis' used_memory is above
   * this percentage of its maxmemory: the rest is the workers' headroom to
   * hand over and acknowledge what was accepted. No effect without maxmemory.
   */
  redisAdmitMemoryPercent: number;
  /**
   * What kadr's three streams may cost Redis together (see
   * shared/queue/stream-bytes.ts): uploads are refused (503 queue_full) at
   * it, and processors hold while stream 2 holds a quarter of it.
   */
  redisMaxQueuedBytes: number;
  reclaimIdleMs: number;
  maxDeliveries: number;
  /** This worker's name in its consumer group (CONSUMER_NAME, else `<host>-<pid>`). */
  consumerName: string;
  /**
   * What `npm start` puts before each worker slot's name (`<prefix>-processor-2`):
   * CONSUMER_NAME when set, else the host name, so a slot keeps its name across
   * restarts of the worker and of `npm start` itself.
   */
  consumerSlotPrefix: string;
  shutdownTimeoutMs: number;
  jobTtlSeconds: number;
  idempotencyTtlSeconds: number;
  processors: number;
  /** How `npm start` runs the processors beside the API (shared/cpu-priority.ts). */
  processorPriority: ProcessorPriority;
  /** When set, every /api/admin/* endpoint requires `Authorization: Bearer <adminToken>`. */
  adminToken: string | undefined;
  /** Most images one `POST /api/batches` may carry. */
  batchMaxImages: number;
  /** Most bytes one `POST /api/batches` body may hold (every image and the form around them). */
  batchMaxBytes: number;
  /** How old a running batch with no job in Redis must be before the saver ends it failed (its queueing never happened). */
  batchLostAfterSeconds: number;
  /** How long a finished batch, its files and rows are kept after its last job ended. */
  batchTtlSeconds: number;
  /** How long a single upload's file and row are kept after saving; undefined keeps them for good, as before batches. */
  imageTtlSeconds: number | undefined;
  /** How often each saver completes finished batches and deletes expired ones. */
  sweepIntervalMs: number;
  /** WEBHOOK_SECRET's key (the base64 after `whsec_`); undefined turns callbacks off (422 webhooks_disabled). */
  webhookSecret: Buffer | undefined;
  /** How long a receiver has to answer a webhook with a 2xx. */
  webhookTimeoutMs: number;
  /** The waits before each retry of a failed webhook, in ms; after the last one it is dead-lettered. */
  webhookRetrySchedule: number[];
  /** Connect and total timeout of one fetch of an image by URL (every redirect and body byte included). */
  fetchTimeoutMs: number;
  /** Redirects a fetch follows, each target checked by the SSRF guard again. */
  fetchMaxRedirects: number;
  /** CIDRs the SSRF guard lets through although their range is refused (loopback, private…). */
  fetchAllowNetworks: string[];
  /** Ports the SSRF guard lets through besides 80 and 443. */
  fetchAllowPorts: number[];
}

/** The file store: a directory on this host. */
export interface FileStorageConfig {
  kind: 'file';
  dir: string;
}

/** Any S3-compatible object store (AWS S3, MinIO, Cloudflare R2, Ceph). */
export interface S3StorageConfig {
  kind: 's3';
  bucket: string;
  /** Key prefix inside the bucket, without leading or trailing slash; '' for none. */
  prefix: string;
  /** Undefined for AWS itself. */
  endpoint: string | undefined;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** `https://endpoint/bucket/key` rather than `https://bucket.endpoint/key`. */
  forcePathStyle: boolean;
}

export type StorageConfig = FileStorageConfig | S3StorageConfig;

type Env = Record<string, string | undefined>;
const MiB = 1024 * 1024;

/**
 * Why 256 KiB (bench/inline-threshold.ts, figures in README "Claim check" and
 * bench/results/2026-12-01-inline-threshold.md): a payload by reference costs
 * a fixed 11–22 ms more than inline up to 1 MiB (registry, PUT, GET, DELETE
 * against a local s3rver, on a Redis with compose.yml's persistence), while
 * inline it holds 1.25x its size in Redis per waiting job. The price of each
 * MiB kept out of Redis falls from 660 ms at 16 KiB to 45 ms at 256 KiB and
 * flattens past it (35 ms at 512 KiB); on a busy shared Redis the reference
 * is faster outright from 128 KiB. So 640x480 photos and their results
 * (40–100 KB) stay inline, 1920x1280 ones (370 KB) go by reference, and a
 * full default queue holds at most ~320 MiB of inline payloads.
 */
const INLINE_MAX_BYTES_DEFAULT = 256 * 1024;

/**
 * Why 256 MiB: a full default queue (QUEUE_MAX_LENGTH 1000) of 640x480
 * photos (40-100 KB) costs 50-125 MiB, so for the usual uploads the length
 * limit still governs and this one only stops what it cannot see, large
 * inline uploads (10 MiB each without the S3 store) and stream 2 and the dead
 * letters growing through a database outage. It fits a 512 MiB Redis with
 * REDIS_ADMIT_MEMORY_PERCENT's headroom to spare for job records and stats.
 */
const REDIS_MAX_QUEUED_BYTES_DEFAULT = 256 * MiB;

type Read = <T>(key: string, parse: Parser<T>, fallback: string | undefined) => T;

/**
 * STORAGE_URL: `file:///absolute/dir`, a plain path, or `s3://bucket/prefix`;
 * unset, the file store at IMAGES_DIR (the setting before object stores).
 */
function readStorage(read: Read, optional: (key: string) => string | undefined, problems: string[]): StorageConfig {
  const raw = optional('STORAGE_URL');
  if (raw === undefined) return { kind: 'file', dir: read('IMAGES_DIR', path, './data/images') };
  if (raw.startsWith('s3://')) {
    const rest = raw.slice('s3://'.length);
    const [bucket = '', ...prefix] = rest.split('/');
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
      problems.push(`STORAGE_URL: expected s3://<bucket>/<optional prefix> with a valid bucket name, got "${raw}"`);
    }
    const endpoint = optional('S3_ENDPOINT') && read('S3_ENDPOINT', url('http:', 'https:'), undefined);
    return {
      kind: 's3',
      bucket,
      prefix: prefix.filter(Boolean).join('/'),
      endpoint,
      region: read('S3_REGION', text, 'us-east-1'),
      accessKeyId: read('S3_ACCESS_KEY_ID', text, undefined),
      secretAccessKey: read('S3_SECRET_ACCESS_KEY', text, undefined),
      forcePathStyle: read('S3_FORCE_PATH_STYLE', bool, endpoint ? 'true' : 'false'),
    };
  }
  if (raw.startsWith('file://')) {
    let dir: string;
    try {
      dir = new URL(raw).pathname;
    } catch {
      dir = '';
    }
    if (!dir.startsWith('/') || dir === '/') {
      problems.push(`STORAGE_URL: expected file:///absolute/dir, got "${raw}"`);
      return { kind: 'file', dir: '' };
    }
    return { kind: 'file', dir: decodeURIComponent(dir) };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    problems.push(`STORAGE_URL: expected file:///dir, a path or s3://bucket/prefix, got "${raw}"`);
    return { kind: 'file', dir: '' };
  }
  return { kind: 'file', dir: resolve(raw) };
}

/**
 * Resolves the configuration from `env`. Throws one Error whose message names
 * every bad key and why, so a broken deployment is fixed in one pass.
 */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const read = <T>(key: string, parse: Parser<T>, fallback: string | undefined): T => {
    const raw = env[key] === undefined || env[key] === '' ? fallback : env[key];
    if (raw === undefined) {
      problems.push(`${key}: is required`);
      return undefined as T;
    }
    try {
      return parse(raw);
    } catch (err) {
      problems.push(`${key}: ${err instanceof ConfigProblem ? err.message : String(err)}`);
      return undefined as T;
    }
  };
  const optional = (key: string): string | undefined => (env[key] ? env[key] : undefined);

  const config: Config = {
    port: read('PORT', int(0, 65535), '3000'),
    host: read('HOST', text, '0.0.0.0'),
    publicUrl: optional('PUBLIC_URL') && read('PUBLIC_URL', url('http:', 'https:'), undefined),
    redisUrl: read('REDIS_URL', url('redis:', 'rediss:'), 'redis://127.0.0.1:6379'),
    redisDatabase: 0,
    keyPrefix: read('KEY_PREFIX', text, 'kadr:'),
    databaseUrl: read('DATABASE_URL', url('postgres:', 'postgresql:'), 'postgres://root@127.0.0.1:5432/root'),
    storage: readStorage(read, optional, problems),
    storageRedirect: read('STORAGE_REDIRECT', oneOf('none', 'presigned'), 'none'),
    presignTtlSeconds: read('PRESIGN_TTL_SECONDS', int(1, 7 * 86_400), '3600'),
    inlineMaxBytes: read('INLINE_MAX_BYTES', int(0, 512 * MiB), String(INLINE_MAX_BYTES_DEFAULT)),
    orphanAgeSeconds: read('ORPHAN_AGE_SECONDS', int(1, 30 * 86_400), '3600'),
    logDir: read('LOG_DIR', path, './logs'),
    logLevel: read('LOG_LEVEL', oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'), 'info'),
    fontFile: read('FONT_FILE', path, './fonts/DejaVuSans.ttf'),
    fontSize: read('FONT_SIZE', int(6, 200), '12'),
    captionPadding: read('CAPTION_PADDING', int(0, 200), '8'),
    captionLineHeight: read('CAPTION_LINE_HEIGHT', num(0.8, 4), '1.3'),
    jpegQuality: read('JPEG_QUALITY', int(1, 100), '85'),
    jpegOptimiseCoding: read('JPEG_OPTIMISE_CODING', bool, 'false'),
    jpegProgressive: read('JPEG_PROGRESSIVE', bool, 'false'),
    maxUploadBytes: read('MAX_UPLOAD_BYTES', int(1, 512 * MiB), String(10 * MiB)),
    maxDescriptionLength: read('MAX_DESCRIPTION_LENGTH', int(1, 10_000), '200'),
    maxInputPixels: read('MAX_INPUT_PIXELS', int(1, 1_000_000_000), String(50_000_000)),
    queueMaxLength: read('QUEUE_MAX_LENGTH', int(1, 10_000_000), '1000'),
    redisAdmitMemoryPercent: read('REDIS_ADMIT_MEMORY_PERCENT', int(1, 99), '80'),
    redisMaxQueuedBytes: read('REDIS_MAX_QUEUED_BYTES', int(MiB, 64 * 1024 * MiB), String(REDIS_MAX_QUEUED_BYTES_DEFAULT)),
    reclaimIdleMs: read('RECLAIM_IDLE_MS', int(100, 86_400_000), '30000'),
    maxDeliveries: read('MAX_DELIVERIES', int(1, 1000), '5'),
    // A worker alone gets a unique name; in a container (pid 1) it is stable per container too.
    consumerName: read('CONSUMER_NAME', text, `${hostname()}-${process.pid}`),
    // CONSUMER_NAME is checked (once) just above.
    consumerSlotPrefix: optional('CONSUMER_NAME') ?? hostname(),
    shutdownTimeoutMs: read('SHUTDOWN_TIMEOUT_MS', int(0, 600_000), '10000'),
    jobTtlSeconds: read('JOB_TTL_SECONDS', int(60, 10 * 365 * 86_400), String(30 * 86_400)),
    idempotencyTtlSeconds: read('IDEMPOTENCY_TTL_SECONDS', int(60, 30 * 86_400), String(86_400)),
    adminToken: optional('ADMIN_TOKEN') && read('ADMIN_TOKEN', secret(16), undefined),
    processors: read('PROCESSORS', int(1, 64), String(Math.max(1, navigator.hardwareConcurrency || 1))),
    processorPriority: read('PROCESSOR_PRIORITY', oneOf(...PROCESSOR_PRIORITIES), 'idle'),
    batchMaxImages: read('BATCH_MAX_IMAGES', int(1, 1000), '50'),
    batchMaxBytes: read('BATCH_MAX_BYTES', int(1, 2048 * MiB), String(100 * MiB)),
    batchTtlSeconds: read('BATCH_TTL_SECONDS', int(1, 365 * 86_400), '3600'),
    batchLostAfterSeconds: read('BATCH_LOST_AFTER_SECONDS', int(1, 86_400), '300'),
    imageTtlSeconds: optional('IMAGE_TTL_SECONDS') === undefined ? undefined : read('IMAGE_TTL_SECONDS', int(1, 10 * 365 * 86_400), undefined),
    sweepIntervalMs: read('SWEEP_INTERVAL_MS', int(100, 86_400_000), '60000'),
    webhookSecret: optional('WEBHOOK_SECRET') === undefined ? undefined : read('WEBHOOK_SECRET', webhookSecret, undefined),
    webhookTimeoutMs: read('WEBHOOK_TIMEOUT_MS', int(100, 120_000), '10000'),
    // The spec's example: about 27.5 hours in all, so a receiver down for a day still gets its events.
    webhookRetrySchedule: read('WEBHOOK_RETRY_SCHEDULE', schedule, '5s,5m,30m,2h,5h,10h,10h'),
    fetchTimeoutMs: read('FETCH_TIMEOUT_MS', int(100, 600_000), '10000'),
    fetchMaxRedirects: read('FETCH_MAX_REDIRECTS', int(0, 20), '5'),
    fetchAllowNetworks: read('FETCH_ALLOW_NETWORKS', list(cidr), ''),
    fetchAllowPorts: read('FETCH_ALLOW_PORTS', list(int(1, 65535)), ''),
  };

  if (config.storageRedirect === 'presigned' && config.storage.kind === 'file') {
    problems.push('STORAGE_REDIRECT: "presigned" needs an S3 store (STORAGE_URL=s3://…); the file store has no URLs to redirect to');
  }
  // Uploads and dead letters share three quarters (stream 2 keeps the last): one largest inline upload must fit.
  const inlineUpload = config.storage?.kind === 's3' ? Math.min(config.maxUploadBytes, config.inlineMaxBytes) : config.maxUploadBytes;
  if (config.redisMaxQueuedBytes && inlineUpload && entryCost(inlineUpload) > config.redisMaxQueuedBytes - captionedLimit(config.redisMaxQueuedBytes)) {
    problems.push(
      `REDIS_MAX_QUEUED_BYTES: expected at least ${Math.ceil((entryCost(inlineUpload) * 4) / 3)} so that three quarters of it hold one upload of ` +
        `${inlineUpload} bytes (MAX_UPLOAD_BYTES${config.storage?.kind === 's3' ? ' or INLINE_MAX_BYTES' : ''}) as Redis stores it, got ${config.redisMaxQueuedBytes}`,
    );
  }
  config.redisDatabase = config.redisUrl === undefined ? 0 : read('REDIS_URL', redisDatabase, config.redisUrl);

  if (problems.length > 0) {
    throw new Error(`Invalid configuration (${problems.length} problem${problems.length > 1 ? 's' : ''}):\n  ${problems.join('\n  ')}`);
  }
  return config;
}

/**
 * What goes before a path in the URLs the API hands out (Location, Link,
 * status_url, image_url, archive_url): PUBLIC_URL without trailing slashes,
 * or nothing, so the URLs are relative to wherever the client reached the
 * API. Never the request's Host header: a client (or a cache in front of the
 * API) could put any host there and have it served back to others.
 */
export function publicBaseUrl(config: Pick<Config, 'publicUrl'>): string {
  return config.publicUrl?.replace(/\/+$/, '') ?? '';
}
