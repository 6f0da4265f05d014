import { describe, expect, test } from 'bun:test';
import { digestLogs } from './log-digest.ts';

const line = (o: object) => `${JSON.stringify(o)}\n`;

describe('digestLogs', () => {
  test('collects render stages from captioned lines and save steps from saved lines, across chunk boundaries', () => {
    const captioned = line({
      level: 30, msg: 'captioned',
      timings: { decode: 5, layout: 2, rasterize: 1, compose: 0.1, encode: 2, total: 8 },
    });
    const digest = digestLogs([
      { name: 'processor-1', output: [captioned.slice(0, 20), captioned.slice(20), 'not json\n'] },
      { name: 'processor-2', output: [line({ level: 30, msg: 'captioned', timings: { total: 9 } })] },
      { name: 'saver', output: [line({ level: 30, msg: 'saved', timings: { file: 3, row: 1, ack: 0.5, total: 4.5 } })] },
    ]);
    expect(digest.render.total).toEqual([8, 9]);
    // The second processor's line has no decode: left out, not taken as 0.
    expect(digest.render.decode).toEqual([5]);
    expect(digest.save).toEqual({ file: [3], row: [1], ack: [0.5], total: [4.5] });
  });

  test('counts warnings and errors and keeps the first few', () => {
    const digest = digestLogs([
      { name: 'api', output: [line({ level: 40, msg: 'slow' }), line({ level: 50, msg: 'broken' })] },
    ]);
    expect([digest.warnings, digest.errors]).toEqual([1, 1]);
    expect(digest.firstProblems[0]).toStartWith('[api] {"level":40');
  });
});
