import { beforeAll, describe, expect, test } from 'bun:test';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createLayout, svgHeight } from './layout.ts';

const STYLE = { fontSize: 12, padding: 8, lineHeight: 1.3 };
let layout: ReturnType<typeof createLayout>;

beforeAll(async () => {
  const font = await readFile(join(import.meta.dir, '../../fonts/DejaVuSans.ttf'));
  layout = createLayout(font.buffer.slice(font.byteOffset, font.byteOffset + font.byteLength) as ArrayBuffer, STYLE);
});

describe('svgHeight', () => {
  test('reads the root height and rounds a fractional one up, so no ink row is cut', () => {
    expect(svgHeight('<svg width="640" height="32" viewBox="0 0 640 32"></svg>')).toBe(32);
    expect(svgHeight('<svg width="640" height="31.6" viewBox="0 0 640 31.6"></svg>')).toBe(32);
  });

  test('ignores heights of inner elements', () => {
    expect(svgHeight('<svg width="10" height="20"><rect height="99"/></svg>')).toBe(20);
  });

  test('says so when the SVG has no height', () => {
    expect(() => svgHeight('<svg width="10"></svg>')).toThrow('without a height');
  });
});

describe('caption layout', () => {
  test('is exactly as wide as the photo', async () => {
    const { svg } = await layout('A cat', 321);
    expect(svg).toMatch(/^<svg[^>]*\swidth="321"/);
  });

  test('one line is one line height plus padding above and below', async () => {
    const { height } = await layout('A cat', 640);
    expect(Math.abs(height - (12 * 1.3 + 2 * 8))).toBeLessThanOrEqual(1);
  });

  test('keeps the line feeds the user typed, CRLF counted once', async () => {
    const one = (await layout('first second', 640)).height;
    const lf = (await layout('first\nsecond', 640)).height;
    const crlf = (await layout('first\r\nsecond', 640)).height;
    expect(lf - one).toBeGreaterThanOrEqual(15);
    expect(lf - one).toBeLessThanOrEqual(17);
    expect(crlf).toBe(lf);
  });

  test('wraps at spaces: the same words need more lines in a narrower box', async () => {
    const text = 'the quick brown fox jumps over the lazy dog '.repeat(4).trim();
    const wide = (await layout(text, 640)).height;
    const narrow = (await layout(text, 160)).height;
    expect(narrow).toBeGreaterThan(wide + 2 * 15);
  });
});
