import { describe, expect, test } from 'bun:test';
import { percentiles } from './percentiles.ts';

describe('percentiles', () => {
  test('take the nearest rank of the sorted samples', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentiles(samples, [50, 95, 99, 100])).toEqual([50, 95, 99, 100]);
  });

  test('a single sample is every percentile', () => {
    expect(percentiles([7], [50, 99])).toEqual([7, 7]);
  });

  test('no samples give no value rather than zero', () => {
    expect(percentiles([], [50, 95])).toEqual([null, null]);
  });
});
