import { describe, expect, test } from 'bun:test';
import { fileURLToPath } from 'node:url';
import { parseOptions } from './options.ts';

const COFFEE = fileURLToPath(new URL('../tests/fixtures/coffee-1920x1280.jpg', import.meta.url));

describe('bench options', () => {
  test('defaults: 1000 images at concurrency 32, processors = cores at idle priority', () => {
    const o = parseOptions([], {});
    expect([o.images, o.concurrency, o.priority, o.soak, o.scaling]).toEqual([1000, 32, 'idle', false, false]);
    expect(o.processors).toBeGreaterThanOrEqual(1);
  });

  test('--scaling defaults to 600 images; N and C can still be set, by flag or environment', () => {
    expect(parseOptions(['--scaling'], {}).images).toBe(600);
    const o = parseOptions(['--scaling', '--images=100'], { BENCH_CONCURRENCY: '8' });
    expect([o.scaling, o.images, o.concurrency]).toEqual([true, 100, 8]);
    expect(parseOptions([], { BENCH_SCALING: '1' }).scaling).toBe(true);
    expect(parseOptions([], { BENCH_SCALING: '0' }).scaling).toBe(false);
  });

  test('--scaling refuses what it decides itself or cannot do', () => {
    expect(() => parseOptions(['--scaling', '--processors', '3'], {})).toThrow('drop --processors');
    expect(() => parseOptions(['--scaling', '--url', 'http://x:1', '--soak'], {})).toThrow('drop --url, --soak');
  });

  test('--soak keeps its own default of 10000 images', () => {
    expect(parseOptions(['--soak'], {}).images).toBe(10_000);
  });

  test('storage defaults to the file store; --storage s3 or BENCH_STORAGE=s3 picks the S3 store', () => {
    expect(parseOptions([], {}).storage).toBe('file');
    expect(parseOptions(['--storage', 's3'], {}).storage).toBe('s3');
    expect(parseOptions(['--storage=file'], { BENCH_STORAGE: 's3' }).storage).toBe('file');
    expect(parseOptions([], { BENCH_STORAGE: 's3' }).storage).toBe('s3');
  });

  test('an unknown store is refused, naming what is accepted', () => {
    expect(() => parseOptions(['--storage', 'gcs'], {})).toThrow('--storage: expected one of file, s3, got "gcs"');
  });

  test('--photo takes one existing file, resolved to an absolute path; unset means the two 640x480 fixtures', () => {
    expect(parseOptions([], {}).photo).toBeUndefined();
    expect(parseOptions(['--photo', COFFEE], {}).photo).toBe(COFFEE);
    expect(parseOptions([], { BENCH_PHOTO: COFFEE }).photo).toBe(COFFEE);
    const relative = parseOptions(['--photo', 'tests/fixtures/coffee-1920x1280.jpg'], {}).photo!;
    expect(relative.startsWith('/')).toBe(true);
    expect(relative.endsWith('/tests/fixtures/coffee-1920x1280.jpg')).toBe(true);
  });

  test('--photo refuses a path that is not a file', () => {
    expect(() => parseOptions(['--photo', 'tests/fixtures/no-such-photo.jpg'], {})).toThrow('--photo: expected an image file');
    expect(() => parseOptions(['--photo', 'tests/fixtures'], {})).toThrow('is not a file');
  });

  test('--inline-max-bytes passes a byte count through, 0 included; unset leaves the services their default', () => {
    expect(parseOptions([], {}).inlineMaxBytes).toBeUndefined();
    expect(parseOptions(['--inline-max-bytes', '0'], {}).inlineMaxBytes).toBe(0);
    expect(parseOptions(['--inline-max-bytes=20000000'], {}).inlineMaxBytes).toBe(20_000_000);
    expect(parseOptions([], { BENCH_INLINE_MAX_BYTES: '262144' }).inlineMaxBytes).toBe(262_144);
    expect(() => parseOptions(['--inline-max-bytes', '-1'], {})).toThrow('--inline-max-bytes: expected an integer >= 0, got "-1"');
    expect(() => parseOptions(['--inline-max-bytes', '1k'], {})).toThrow('expected an integer >= 0');
  });

  test('--url refuses the settings of a system the benchmark would start', () => {
    expect(() => parseOptions(['--url', 'http://x:1', '--storage', 's3'], {})).toThrow('drop --storage');
    expect(() => parseOptions(['--url', 'http://x:1', '--inline-max-bytes', '0'], {})).toThrow('drop --inline-max-bytes');
    // The photo is the client's own choice, so it goes with --url too.
    expect(parseOptions(['--url', 'http://x:1', '--photo', COFFEE], {}).photo).toBe(COFFEE);
  });

  test('--scaling runs on either store with the same photo and inline limit in both runs', () => {
    const o = parseOptions(['--scaling', '--storage', 's3', '--photo', COFFEE, '--inline-max-bytes', '0'], {});
    expect([o.scaling, o.storage, o.photo, o.inlineMaxBytes]).toEqual([true, 's3', COFFEE, 0]);
  });

  test('Redis memory is sampled every 100 ms, finer than the 500 ms samples', () => {
    const o = parseOptions([], {});
    expect([o.redisSampleMs, o.sampleMs]).toEqual([100, 500]);
  });
});
