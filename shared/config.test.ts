import { describe, expect, test } from 'bun:test';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { loadConfig, publicBaseUrl } from './config.ts';

/** The error loadConfig throws for `env`, or a failure if it did not throw. */
function configError(env: Record<string, string | undefined>): Error {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(Error);
    return err as Error;
  }
  throw new Error('expected loadConfig to throw');
}

describe('loadConfig defaults', () => {
  test('resolves every setting from an empty environment', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.host).toBe('0.0.0.0');
    expect(c.publicUrl).toBeUndefined();
    expect(c.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(c.keyPrefix).toBe('kadr:');
    expect(c.databaseUrl).toBe('postgres://root@127.0.0.1:5432/root');
    expect(c.logLevel).toBe('info');
    expect(c.fontSize).toBe(12);
    expect(c.captionPadding).toBe(8);
    expect(c.captionLineHeight).toBe(1.3);
    expect(c.jpegQuality).toBe(85);
    expect(c.jpegOptimiseCoding).toBe(false);
    expect(c.jpegProgressive).toBe(false);
    expect(c.maxUploadBytes).toBe(10 * 1024 * 1024);
    expect(c.maxDescriptionLength).toBe(200);
    expect(c.maxInputPixels).toBe(50_000_000);
    expect(c.queueMaxLength).toBe(1000);
    expect(c.reclaimIdleMs).toBe(30_000);
    expect(c.maxDeliveries).toBe(5);
    expect(c.shutdownTimeoutMs).toBe(10_000);
    expect(c.jobTtlSeconds).toBe(30 * 86_400);
    expect(c.idempotencyTtlSeconds).toBe(86_400);
    expect(c.processors).toBeGreaterThanOrEqual(1);
    expect(c.consumerName.length).toBeGreaterThan(0);
    expect(c.adminToken).toBeUndefined();
  });

  test('a worker alone is named <host>-<pid>; npm start names each slot <host>-<slot>, the same at every start, or <CONSUMER_NAME>-<slot>', () => {
    const plain = loadConfig({});
    expect(plain.consumerName).toBe(`${hostname()}-${process.pid}`);
    expect(plain.consumerSlotPrefix).toBe(hostname());
    const named = loadConfig({ CONSUMER_NAME: 'edge-7' });
    expect(named.consumerName).toBe('edge-7');
    expect(named.consumerSlotPrefix).toBe('edge-7');
  });

  test('treats a key set to the empty string as unset', () => {
    const c = loadConfig({ PORT: '', LOG_LEVEL: '', PUBLIC_URL: '', JPEG_PROGRESSIVE: '' });
    expect(c.port).toBe(3000);
    expect(c.logLevel).toBe('info');
    expect(c.publicUrl).toBeUndefined();
    expect(c.jpegProgressive).toBe(false);
  });

  test('turns relative directories into absolute paths', () => {
    const c = loadConfig({ IMAGES_DIR: 'some/images' });
    expect(c.storage).toEqual({ kind: 'file', dir: resolve('some/images') });
    expect(c.logDir).toBe(resolve('./logs'));
    expect(c.fontFile).toBe(resolve('./fonts/DejaVuSans.ttf'));
  });

  test('ignores keys it does not know', () => {
    expect(() => loadConfig({ SOMETHING_ELSE: 'x', PATH: '/usr/bin' })).not.toThrow();
  });
});

describe('loadConfig integers', () => {
  test('reads integers, allowing surrounding white space', () => {
    const c = loadConfig({ PORT: '8080', FONT_SIZE: ' 24 ', MAX_DELIVERIES: '1' });
    expect(c.port).toBe(8080);
    expect(c.fontSize).toBe(24);
    expect(c.maxDeliveries).toBe(1);
  });

  test('reads how long an Idempotency-Key is remembered, from one minute to 30 days', () => {
    expect(loadConfig({ IDEMPOTENCY_TTL_SECONDS: '3600' }).idempotencyTtlSeconds).toBe(3600);
    expect(loadConfig({ IDEMPOTENCY_TTL_SECONDS: '60' }).idempotencyTtlSeconds).toBe(60);
    expect(loadConfig({ IDEMPOTENCY_TTL_SECONDS: String(30 * 86_400) }).idempotencyTtlSeconds).toBe(30 * 86_400);
    expect(configError({ IDEMPOTENCY_TTL_SECONDS: '1d' }).message).toContain('IDEMPOTENCY_TTL_SECONDS');
  });

  test('accepts both ends of a range', () => {
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
    expect(loadConfig({ PORT: '65535' }).port).toBe(65535);
    expect(loadConfig({ JPEG_QUALITY: '1' }).jpegQuality).toBe(1);
    expect(loadConfig({ JPEG_QUALITY: '100' }).jpegQuality).toBe(100);
  });

  test.each(['abc', '1.5', '1e3', '0x10', '12px', '-', ' '])('refuses PORT=%p as not an integer', (raw) => {
    expect(configError({ PORT: raw }).message).toContain('PORT');
  });

  test.each([
    ['PORT', '65536'],
    ['PORT', '-1'],
    ['JPEG_QUALITY', '0'],
    ['JPEG_QUALITY', '101'],
    ['PROCESSORS', '0'],
    ['PROCESSORS', '65'],
    ['RECLAIM_IDLE_MS', '99'],
    ['JOB_TTL_SECONDS', '59'],
    ['MAX_UPLOAD_BYTES', '0'],
    ['IDEMPOTENCY_TTL_SECONDS', '59'],
    ['IDEMPOTENCY_TTL_SECONDS', String(30 * 86_400 + 1)],
  ])('refuses %s=%s as out of range', (key, raw) => {
    expect(configError({ [key]: raw }).message).toContain(key);
  });
});

describe('loadConfig decimals, booleans and choices', () => {
  test('reads a decimal caption line height within 0.8..4', () => {
    expect(loadConfig({ CAPTION_LINE_HEIGHT: '1.5' }).captionLineHeight).toBe(1.5);
    expect(loadConfig({ CAPTION_LINE_HEIGHT: '0.8' }).captionLineHeight).toBe(0.8);
    expect(loadConfig({ CAPTION_LINE_HEIGHT: '4' }).captionLineHeight).toBe(4);
  });

  test.each(['0.5', '4.01', 'tall', 'Infinity', 'NaN'])('refuses CAPTION_LINE_HEIGHT=%p', (raw) => {
    expect(configError({ CAPTION_LINE_HEIGHT: raw }).message).toContain('CAPTION_LINE_HEIGHT');
  });

  test.each(['1', 'true', 'TRUE', 'yes', 'on', ' On '])('reads %p as true', (raw) => {
    expect(loadConfig({ JPEG_PROGRESSIVE: raw }).jpegProgressive).toBe(true);
  });

  test.each(['0', 'false', 'False', 'no', 'off'])('reads %p as false', (raw) => {
    expect(loadConfig({ JPEG_OPTIMISE_CODING: raw }).jpegOptimiseCoding).toBe(false);
  });

  test.each(['maybe', '2', 'y', 'enabled'])('refuses boolean %p', (raw) => {
    expect(configError({ JPEG_OPTIMISE_CODING: raw }).message).toContain('JPEG_OPTIMISE_CODING');
  });

  test('accepts every documented log level and refuses others', () => {
    for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const) {
      expect(loadConfig({ LOG_LEVEL: level }).logLevel).toBe(level);
    }
    expect(configError({ LOG_LEVEL: 'verbose' }).message).toContain('LOG_LEVEL');
    expect(configError({ LOG_LEVEL: 'INFO' }).message).toContain('LOG_LEVEL');
  });

  test('refuses text settings made only of white space', () => {
    const message = configError({ HOST: '   ', KEY_PREFIX: ' ', CONSUMER_NAME: '\t' }).message;
    for (const key of ['HOST', 'KEY_PREFIX', 'CONSUMER_NAME']) expect(message).toContain(key);
  });
});

describe('loadConfig URLs', () => {
  test('accepts redis and rediss Redis URLs verbatim', () => {
    expect(loadConfig({ REDIS_URL: 'redis://cache:6380/2' }).redisUrl).toBe('redis://cache:6380/2');
    expect(loadConfig({ REDIS_URL: 'rediss://user:pw@cache' }).redisUrl).toBe('rediss://user:pw@cache');
  });

  test('accepts postgres and postgresql database URLs verbatim', () => {
    expect(loadConfig({ DATABASE_URL: 'postgresql://u:p@db/kadr' }).databaseUrl).toBe('postgresql://u:p@db/kadr');
    expect(loadConfig({ DATABASE_URL: 'postgres://db/kadr' }).databaseUrl).toBe('postgres://db/kadr');
  });

  test('refuses a URL with the wrong scheme or no scheme', () => {
    expect(configError({ REDIS_URL: 'http://cache:6379' }).message).toContain('REDIS_URL');
    expect(configError({ DATABASE_URL: 'mysql://db/kadr' }).message).toContain('DATABASE_URL');
    expect(configError({ DATABASE_URL: 'db:5432' }).message).toContain('DATABASE_URL');
    expect(configError({ REDIS_URL: 'not a url' }).message).toContain('REDIS_URL');
  });

  test('reads an http(s) PUBLIC_URL and refuses other schemes', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://kadr.example/' }).publicUrl).toBe('https://kadr.example/');
    expect(configError({ PUBLIC_URL: 'ftp://kadr.example' }).message).toContain('PUBLIC_URL');
    expect(configError({ PUBLIC_URL: 'kadr.example' }).message).toContain('PUBLIC_URL');
  });
});

describe('loadConfig ADMIN_TOKEN', () => {
  test('has no default: the admin endpoints are open until a token is set', () => {
    expect(loadConfig({ ADMIN_TOKEN: '' }).adminToken).toBeUndefined();
  });

  test('takes a token of at least 16 characters verbatim', () => {
    expect(loadConfig({ ADMIN_TOKEN: 's3cret-s3cret-s3cret' }).adminToken).toBe('s3cret-s3cret-s3cret');
  });

  test('refuses a short token or one with white space, without echoing it', () => {
    const short = configError({ ADMIN_TOKEN: 'short-token' }).message;
    expect(short).toContain('ADMIN_TOKEN: expected at least 16 characters, got 11');
    expect(short).not.toContain('short-token');
    expect(configError({ ADMIN_TOKEN: 'with space in the token' }).message).toContain('ADMIN_TOKEN: must not contain whitespace');
  });
});

describe('loadConfig error reporting', () => {
  test('names every bad key in one error when several are bad at once', () => {
    const err = configError({
      PORT: 'eighty',
      REDIS_URL: 'http://nope',
      JPEG_QUALITY: '0',
      JPEG_PROGRESSIVE: 'perhaps',
      CAPTION_LINE_HEIGHT: '9',
      LOG_LEVEL: 'loud',
      HOST: '3000', // valid: must not be named
    });
    for (const key of ['PORT', 'REDIS_URL', 'JPEG_QUALITY', 'JPEG_PROGRESSIVE', 'CAPTION_LINE_HEIGHT', 'LOG_LEVEL']) {
      expect(err.message).toContain(`${key}:`);
    }
    expect(err.message).not.toContain('HOST:');
  });

  test('quotes the offending value so the operator can find it', () => {
    expect(configError({ FONT_SIZE: 'huge' }).message).toContain('huge');
  });
});

describe('publicBaseUrl', () => {
  test('prefers PUBLIC_URL without trailing slashes', () => {
    const c = loadConfig({ PUBLIC_URL: 'https://kadr.example/base//' });
    expect(publicBaseUrl(c)).toBe('https://kadr.example/base');
  });

  test('is empty without PUBLIC_URL, so handed-out URLs are relative and never take the request\'s Host', () => {
    expect(publicBaseUrl(loadConfig({}))).toBe('');
  });
});

describe('loadConfig batches and expiry', () => {
  test('defaults to 50 images and 100 MiB per batch, kept an hour after completion, swept every minute', () => {
    const c = loadConfig({});
    expect(c.batchMaxImages).toBe(50);
    expect(c.batchMaxBytes).toBe(100 * 1024 * 1024);
    expect(c.batchTtlSeconds).toBe(3600);
    expect(c.sweepIntervalMs).toBe(60_000);
  });

  test('keeps single images for good unless IMAGE_TTL_SECONDS is set', () => {
    expect(loadConfig({}).imageTtlSeconds).toBeUndefined();
    expect(loadConfig({ IMAGE_TTL_SECONDS: '' }).imageTtlSeconds).toBeUndefined();
    expect(loadConfig({ IMAGE_TTL_SECONDS: '86400' }).imageTtlSeconds).toBe(86_400);
  });

  test('reads the batch limits and times as integers within their ranges', () => {
    const c = loadConfig({ BATCH_MAX_IMAGES: '20', BATCH_MAX_BYTES: '1048576', BATCH_TTL_SECONDS: '2', SWEEP_INTERVAL_MS: '200' });
    expect([c.batchMaxImages, c.batchMaxBytes, c.batchTtlSeconds, c.sweepIntervalMs]).toEqual([20, 1_048_576, 2, 200]);
  });

  test('refuses batch settings out of range or not integers, naming each key', () => {
    const message = configError({
      BATCH_MAX_IMAGES: '0',
      BATCH_MAX_BYTES: 'lots',
      BATCH_TTL_SECONDS: '-5',
      IMAGE_TTL_SECONDS: '1.5',
      SWEEP_INTERVAL_MS: '10',
    }).message;
    for (const key of ['BATCH_MAX_IMAGES', 'BATCH_MAX_BYTES', 'BATCH_TTL_SECONDS', 'IMAGE_TTL_SECONDS', 'SWEEP_INTERVAL_MS']) {
      expect(message).toContain(key);
    }
  });
});

describe('storage settings', () => {
  test('without STORAGE_URL the file store sits at IMAGES_DIR, as before object stores', () => {
    expect(loadConfig({}).storage).toEqual({ kind: 'file', dir: resolve('./data/images') });
  });

  test('STORAGE_URL takes a file URL or a plain path for the file store', () => {
    expect(loadConfig({ STORAGE_URL: 'file:///srv/kadr%20images' }).storage).toEqual({ kind: 'file', dir: '/srv/kadr images' });
    expect(loadConfig({ STORAGE_URL: 'data/x', IMAGES_DIR: '/ignored' }).storage).toEqual({ kind: 'file', dir: resolve('data/x') });
  });

  test('an s3 URL with an endpoint defaults to path style and us-east-1', () => {
    const c = loadConfig({
      STORAGE_URL: 's3://kadr-images/prod/eu/',
      S3_ENDPOINT: 'http://minio:9000',
      S3_ACCESS_KEY_ID: 'id',
      S3_SECRET_ACCESS_KEY: 'secret',
    });
    expect(c.storage).toEqual({
      kind: 's3', bucket: 'kadr-images', prefix: 'prod/eu', endpoint: 'http://minio:9000', region: 'us-east-1',
      accessKeyId: 'id', secretAccessKey: 'secret', forcePathStyle: true,
    });
  });

  test('without an endpoint (AWS) requests are virtual-hosted unless S3_FORCE_PATH_STYLE says otherwise', () => {
    const env = { STORAGE_URL: 's3://b-1', S3_ACCESS_KEY_ID: 'id', S3_SECRET_ACCESS_KEY: 'secret', S3_REGION: 'eu-west-1' };
    expect(loadConfig(env).storage).toMatchObject({ prefix: '', endpoint: undefined, region: 'eu-west-1', forcePathStyle: false });
    expect(loadConfig({ ...env, S3_FORCE_PATH_STYLE: 'true' }).storage).toMatchObject({ forcePathStyle: true });
  });

  test('every missing or bad storage key is named at once', () => {
    const message = configError({
      STORAGE_URL: 's3://Bad_Bucket',
      S3_ENDPOINT: 'ftp://x',
      S3_FORCE_PATH_STYLE: 'maybe',
      STORAGE_REDIRECT: 'sometimes',
      INLINE_MAX_BYTES: '-1',
    }).message;
    for (const key of ['STORAGE_URL', 'S3_ENDPOINT', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY', 'S3_FORCE_PATH_STYLE', 'STORAGE_REDIRECT', 'INLINE_MAX_BYTES']) {
      expect(message).toContain(`${key}:`);
    }
  });

  test('an unknown scheme and presigned redirects on the file store are refused', () => {
    expect(configError({ STORAGE_URL: 'gs://bucket' }).message).toContain('STORAGE_URL: expected');
    expect(configError({ STORAGE_REDIRECT: 'presigned' }).message).toContain('STORAGE_REDIRECT: "presigned" needs an S3 store');
  });
});

describe('loadConfig webhooks', () => {
  const KEY = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

  test('has no secret by default, a 10 s timeout and a retry schedule spanning more than a day', () => {
    const c = loadConfig({});
    expect(c.webhookSecret).toBeUndefined();
    expect(c.webhookTimeoutMs).toBe(10_000);
    expect(c.webhookRetrySchedule.reduce((a, b) => a + b, 0)).toBeGreaterThan(86_400_000);
  });

  test('decodes a whsec_ secret to its key', () => {
    expect(loadConfig({ WEBHOOK_SECRET: KEY }).webhookSecret).toEqual(Buffer.from('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'base64'));
  });

  test('refuses a secret without the prefix, not in base64 or too short, without echoing it', () => {
    const noPrefix = configError({ WEBHOOK_SECRET: 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }).message;
    expect(noPrefix).toContain('WEBHOOK_SECRET: expected "whsec_"');
    expect(noPrefix).not.toContain('MfKQ9r8G');
    expect(configError({ WEBHOOK_SECRET: 'whsec_not base64!' }).message).toContain('WEBHOOK_SECRET: expected base64');
    expect(configError({ WEBHOOK_SECRET: 'whsec_c2hvcnQ=' }).message).toContain('WEBHOOK_SECRET: expected a key of 24 to 64 bytes, got 5');
  });

  test('reads a retry schedule with units and names a bad step', () => {
    expect(loadConfig({ WEBHOOK_RETRY_SCHEDULE: '200ms, 5s,2m,1h,1d' }).webhookRetrySchedule).toEqual([200, 5000, 120_000, 3_600_000, 86_400_000]);
    expect(configError({ WEBHOOK_RETRY_SCHEDULE: '5s,soon' }).message).toContain('WEBHOOK_RETRY_SCHEDULE: expected waits like "5s,5m,30m,2h" (units ms, s, m, h, d), got "soon"');
    expect(configError({ WEBHOOK_TIMEOUT_MS: '10' }).message).toContain('WEBHOOK_TIMEOUT_MS: expected an integer from 100 to 120000, got 10');
  });
});

describe('loadConfig fetching by URL', () => {
  test('defaults: 10 s, 5 redirects, no network or port opened beyond the public ones', () => {
    const c = loadConfig({});
    expect(c.fetchTimeoutMs).toBe(10_000);
    expect(c.fetchMaxRedirects).toBe(5);
    expect(c.fetchAllowNetworks).toEqual([]);
    expect(c.fetchAllowPorts).toEqual([]);
  });

  test('reads comma-separated CIDRs, bare addresses and ports', () => {
    const c = loadConfig({ FETCH_ALLOW_NETWORKS: '127.0.0.1/32, 10.0.0.0/8,fd00::/8, 192.168.1.7', FETCH_ALLOW_PORTS: '8080, 9000' });
    expect(c.fetchAllowNetworks).toEqual(['127.0.0.1/32', '10.0.0.0/8', 'fd00::/8', '192.168.1.7']);
    expect(c.fetchAllowPorts).toEqual([8080, 9000]);
  });

  test('names every bad fetch key and quotes the bad entries', () => {
    const message = configError({
      FETCH_ALLOW_NETWORKS: '10.0.0.0/8,10.0.0.0/33,example.com',
      FETCH_ALLOW_PORTS: '80,0,http',
      FETCH_TIMEOUT_MS: 'soon',
      FETCH_MAX_REDIRECTS: '-1',
    }).message;
    expect(message).toContain('FETCH_ALLOW_NETWORKS: expected a CIDR such as 10.0.0.0/8 or fd00::/8, got "10.0.0.0/33"');
    expect(message).toContain('got "example.com"');
    expect(message).toContain('FETCH_ALLOW_PORTS: expected an integer from 1 to 65535, got 0; expected an integer, got "http"');
    expect(message).toContain('FETCH_TIMEOUT_MS:');
    expect(message).toContain('FETCH_MAX_REDIRECTS:');
  });
});
