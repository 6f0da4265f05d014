import { describe, expect, test } from 'bun:test';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { chartPng, chartSvg, escapeXml, niceTicks, type ChartSpec } from './chart.ts';

const FONT = fileURLToPath(new URL('../fonts/DejaVuSans.ttf', import.meta.url));

const spec = (over: Partial<ChartSpec> = {}): ChartSpec => ({
  title: 'a run',
  xLabel: 'seconds',
  width: 640,
  height: 400,
  panels: [
    { title: 'per second', series: [{ label: 'saved', color: '#d62728', points: [[0, 0], [0.5, 12], [1, 30.5]] }] },
    { title: 'queue', integers: true, series: [{ label: 'uploads', color: '#2ca02c', points: [[0, 0], [0.5, NaN], [1, 3]] }] },
  ],
  ...over,
});

describe('chart', () => {
  test('renders a PNG of the requested size', async () => {
    const png = chartPng(spec({ width: 800, height: 500 }), FONT);
    const meta = await sharp(png).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 800, 500]);
    // Not a blank page: the lines and text put more than one colour on it.
    const stats = await sharp(png).stats();
    expect(stats.isOpaque).toBe(true);
    expect(stats.channels[0]!.min).toBeLessThan(100);
  });

  test('escapes text, so a label cannot break or inject into the SVG', () => {
    const hostile = `<script>alert("x")</script> & 'co'`;
    const svg = chartSvg(spec({ title: hostile, panels: [{ title: hostile, series: [{ label: hostile, color: '#000', points: [[0, 1]] }] }] }));
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &apos;co&apos;');
    expect(() => chartPng(spec({ title: hostile }), FONT)).not.toThrow();
    expect(escapeXml('a<b>&"\'')).toBe('a&lt;b&gt;&amp;&quot;&apos;');
  });

  test('a non-finite value breaks the line instead of drawing it at 0', () => {
    const svg = chartSvg(spec());
    const queueLine = [...svg.matchAll(/<path d="([^"]+)" fill="none" stroke="#2ca02c"/g)][0]![1]!;
    expect(queueLine.match(/M/g)!.length).toBe(2);
    expect(queueLine).not.toContain('L');
  });

  test('a panel with nothing sampled says so', () => {
    expect(chartSvg(spec({ panels: [{ title: 'q', series: [{ label: 'x', color: '#000', points: [[0, NaN]] }] }] })))
      .toContain('not sampled');
  });
});

describe('niceTicks', () => {
  test('from 0 to a round number at or above the maximum', () => {
    expect(niceTicks(87)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(100)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(2.07, 10)).toEqual([0, 0.5, 1, 1.5, 2, 2.5]);
    expect(niceTicks(0.3, 3)).toEqual([0, 0.1, 0.2, 0.3]);
  });

  test('counts get whole-number steps; nothing to show gets 0 to 1', () => {
    expect(niceTicks(2, 5, 1)).toEqual([0, 1, 2]);
    expect(niceTicks(0)).toEqual([0, 1]);
    expect(niceTicks(NaN)).toEqual([0, 1]);
  });
});
