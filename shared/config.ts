import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { PROCESSOR_PRIORITIES, type ProcessorPriority } from './cpu-priority.ts';

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
  keyPrefix: string;
  databaseUrl: string;
  imagesDir: string;
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
  /** How long a finished batch, its files and rows are kept after its last job ended. */
  batchTtlSeconds: number;
  /** How long a single upload's file and row are kept after saving; undefined keeps them for good, as before batches. */
  imageTtlSeconds: number | undefined;
  /** How often each saver completes finished batches and deletes expired ones. */
  sweepIntervalMs: number;
}

type Env = Record<string, string | undefined>;
type Parser<T> = (raw: string) => T;

class ConfigProblem extends Error {}

const int = (min: number, max: number): Parser<number> => (raw) => {
  if (!/^-?\d+$/.test(raw.trim())) throw new ConfigProblem(`expected an integer, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigProblem(`expected an integer from ${min} to ${max}, got ${n}`);
  return n;
};

const num = (min: number, max: number): Parser<number> => (raw) => {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n)) throw new ConfigProblem(`expected a number, got "${raw}"`);
  if (n < min || n > max) throw new ConfigProblem(`expected a number from ${min} to ${max}, got ${n}`);
  return n;
};

const bool: Parser<boolean> = (raw) => {
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new ConfigProblem(`expected true or false, got "${raw}"`);
};

const url = (...protocols: string[]): Parser<string> => (raw) => {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigProblem(`expected a URL, got "${raw}"`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigProblem(`expected a ${protocols.join(' or ')} URL, got "${raw}"`);
  }
  return raw;
};

const text: Parser<string> = (raw) => {
  if (raw.trim() === '') throw new ConfigProblem('must not be empty');
  return raw;
};

const secret = (minLength: number): Parser<string> => (raw) => {
  if (raw.length < minLength) throw new ConfigProblem(`expected at least ${minLength} characters, got ${raw.length}`);
  if (/\s/.test(raw)) throw new ConfigProblem('must not contain whitespace');
  return raw;
};

const path: Parser<string> = (raw) => resolve(text(raw));

const oneOf = <T extends string>(...values: T[]): Parser<T> => (raw) => {
  if (!(values as string[]).includes(raw)) throw new ConfigProblem(`expected one of ${values.join(', ')}, got "${raw}"`);
  return raw as T;
};

const MiB = 1024 * 1024;

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
    keyPrefix: read('KEY_PREFIX', text, 'kadr:'),
    databaseUrl: read('DATABASE_URL', url('postgres:', 'postgresql:'), 'postgres://root@127.0.0.1:5432/root'),
    imagesDir: read('IMAGES_DIR', path, './data/images'),
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
    imageTtlSeconds: optional('IMAGE_TTL_SECONDS') === undefined ? undefined : read('IMAGE_TTL_SECONDS', int(1, 10 * 365 * 86_400), undefined),
    sweepIntervalMs: read('SWEEP_INTERVAL_MS', int(100, 86_400_000), '60000'),
  };

  if (problems.length > 0) {
    throw new Error(`Invalid configuration (${problems.length} problem${problems.length > 1 ? 's' : ''}):\n  ${problems.join('\n  ')}`);
  }
  return config;
}

/** The base URL clients should use to reach the API, for Location and Link headers. */
export function publicBaseUrl(config: Config, requestUrl: string): string {
  return config.publicUrl?.replace(/\/+$/, '') ?? new URL(requestUrl).origin;
}
