import { describe, expect, test } from 'bun:test';
import { parseOptions } from './options.ts';

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
});
