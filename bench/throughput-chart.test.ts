import { describe, expect, test } from 'bun:test';
import type { Sample } from './sampler.ts';
import { ratePoints, throughputChart } from './throughput-chart.ts';

const sample = (t: number, done: number, uploadsQueue?: number): Sample => ({ t, accepted: 0, done, uploadsQueue, rss: {} });

describe('ratePoints', () => {
  test('rates over the last window, starting at 0 before the first POST', () => {
    const samples = [sample(0, 0), sample(0.5, 10), sample(1, 10), sample(1.5, 40), sample(1.6, 42)];
    expect(ratePoints(samples, (s) => s.done, 1)).toEqual([
      [0, 0],
      [0.5, 20], // only half a second so far
      [1, 10],
      [1.5, 30], // (40 - 10) over 1 s, not the 60/s of the last half second alone
      [1.6, 32 / 1.1], // from the last sample at least 1 s back
    ]);
  });
});

describe('throughputChart', () => {
  test('queue depth not sampled is a gap, not a 0', () => {
    const chart = throughputChart([sample(0, 0, 5), sample(0.5, 1)], 'run');
    expect(chart.panels[1]!.series[0]!.points).toEqual([[0, 5], [0.5, NaN]]);
  });
});
