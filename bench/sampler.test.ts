import { describe, expect, test } from 'bun:test';
import { PeakAndMean } from './sampler.ts';

describe('PeakAndMean', () => {
  test('keeps the largest value and the mean of everything added', () => {
    const m = new PeakAndMean();
    for (const v of [10, 40, 20, 30]) m.add(v);
    expect([m.peak, m.mean, m.count]).toEqual([40, 25, 4]);
  });

  test('has no peak or mean before the first value, and skips values that are not numbers', () => {
    const m = new PeakAndMean();
    expect([m.peak, m.mean, m.count]).toEqual([undefined, undefined, 0]);
    m.add(NaN);
    m.add(Infinity);
    m.add(5);
    expect([m.peak, m.mean, m.count]).toEqual([5, 5, 1]);
  });
});
