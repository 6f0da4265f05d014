import type { ChartSpec } from './chart.ts';
import type { Sample } from './sampler.ts';

/**
 * Counts per second at each sample, over the last `windowS` seconds rather
 * than since the previous sample: the done count moves in the completion
 * poll's 250 ms steps, so a 500 ms delta alone would jump between 0 and twice
 * the real rate. The first sample is before the first POST, so it reads 0.
 */
export function ratePoints(samples: Sample[], count: (s: Sample) => number, windowS = 1): Array<[number, number]> {
  const points: Array<[number, number]> = [];
  let from = 0;
  samples.forEach((s, i) => {
    if (i === 0) return points.push([s.t, 0]);
    while (from < i - 1 && samples[from + 1]!.t <= s.t - windowS) from++;
    const base = samples[from]!;
    points.push([s.t, (count(s) - count(base)) / (s.t - base.t)]);
  });
  return points;
}

const depth = (samples: Sample[], pick: (s: Sample) => number | undefined): Array<[number, number]> =>
  samples.map((s) => [s.t, pick(s) ?? NaN]);

/** Throughput and queue depth over a run, two panels over one time axis. */
export function throughputChart(samples: Sample[], title: string, windowS = 1): ChartSpec {
  return {
    title,
    xLabel: 'seconds since the first sample (just before the first POST)',
    width: 1000,
    height: 620,
    panels: [
      {
        title: `Per second (over the last ${windowS} s)`,
        series: [
          { label: 'uploads accepted (202)', color: '#1f77b4', points: ratePoints(samples, (s) => s.accepted, windowS) },
          { label: 'images saved', color: '#d62728', points: ratePoints(samples, (s) => s.done, windowS) },
        ],
      },
      {
        title: 'Queue depth (XLEN)',
        integers: true,
        series: [
          { label: 'uploads stream', color: '#2ca02c', points: depth(samples, (s) => s.uploadsQueue) },
          { label: 'captioned stream', color: '#9467bd', points: depth(samples, (s) => s.captionedQueue) },
        ],
      },
    ],
  };
}
