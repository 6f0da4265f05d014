import { expect, test } from 'bun:test';
import { PassThrough } from 'node:stream';
import { openProgress } from './progress.ts';

/** A stream that records what was written, claiming to be a terminal or not. */
function screen(isTTY: boolean) {
  const stream = new PassThrough() as PassThrough & { isTTY: boolean; columns: number };
  stream.isTTY = isTTY;
  stream.columns = 60;
  let written = '';
  stream.on('data', (c: Buffer) => (written += c.toString()));
  return { stream: stream as unknown as NodeJS.WriteStream, written: () => written };
}

test('without a terminal each change is one plain line, and an unchanged count prints nothing', () => {
  const s = screen(false);
  const p = openProgress(s.stream);
  p.update({ total: 2, done: 0, failed: 0 }, 'processing');
  p.update({ total: 2, done: 0, failed: 0 }, 'processing');
  p.note('failed a.jpg: image_undecodable: cut');
  p.update({ total: 2, done: 1, failed: 1 }, 'finished');
  p.stop();
  const lines = s.written().trimEnd().split('\n');
  expect(lines).toHaveLength(3);
  expect(lines[0]).toMatch(/^progress 0\/2 done 0 failed 0 \d+\.\d\d photos\/s processing$/);
  expect(lines[1]).toBe('failed a.jpg: image_undecodable: cut');
  expect(lines[2]).toMatch(/^progress 2\/2 done 1 failed 1 .* finished$/);
  expect(s.written()).not.toContain('\x1b[');
});

test('on a terminal the bar is redrawn in place, and a note wider than the screen is cut', async () => {
  const s = screen(true);
  const p = openProgress(s.stream);
  p.update({ total: 4, done: 1, failed: 0 }, 'processing');
  p.note(`failed ${'x'.repeat(100)}.jpg`);
  p.update({ total: 4, done: 3, failed: 1 }, 'finished');
  p.stop();
  const out = s.written();
  // cli-progress moves the cursor back over the bar instead of printing new lines.
  expect(out).toContain('\x1b[');
  expect(out).toContain('4/4 | done 3 | failed 1');
  expect(out).toContain(`failed ${'x'.repeat(59 - 'failed '.length)}…`);
});
