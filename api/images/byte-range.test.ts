import { describe, expect, test } from 'bun:test';
import { contentRange, parseRange, type RangeAnswer } from './byte-range.ts';

const SIZE = 1000;
const range = (start: number, end: number): RangeAnswer => ({ kind: 'range', range: { start, end } });

describe('a Range header against a 1000-byte image', () => {
  test('no header, another unit or a syntactically invalid header asks for the whole image', () => {
    for (const header of [
      null,
      undefined,
      'items=0-10',
      'bytes',
      'bytes=',
      'bytes=,',
      'bytes=abc',
      'bytes=1-2-3',
      'bytes=--5',
      'bytes=5-2',
      'bytes=-',
      'bytes=0x10-20',
      'bytes=1.5-3',
      'bytes=0-10,5-2',
    ]) {
      expect({ header, answer: parseRange(header, SIZE) }).toEqual({ header, answer: { kind: 'whole' } });
    }
  });

  test('bytes=a-b answers those bytes, its end clamped to the last byte', () => {
    expect(parseRange('bytes=0-0', SIZE)).toEqual(range(0, 0));
    expect(parseRange('bytes=10-19', SIZE)).toEqual(range(10, 19));
    expect(parseRange('bytes=990-5000', SIZE)).toEqual(range(990, 999));
    expect(parseRange('bytes=999-999', SIZE)).toEqual(range(999, 999));
  });

  test('bytes=a- answers from a to the end', () => {
    expect(parseRange('bytes=0-', SIZE)).toEqual(range(0, 999));
    expect(parseRange('bytes=400-', SIZE)).toEqual(range(400, 999));
  });

  test('bytes=-n answers the last n bytes, or all of them when n is larger', () => {
    expect(parseRange('bytes=-1', SIZE)).toEqual(range(999, 999));
    expect(parseRange('bytes=-100', SIZE)).toEqual(range(900, 999));
    expect(parseRange('bytes=-5000', SIZE)).toEqual(range(0, 999));
  });

  test('the unit is case-insensitive and spaces around a range are allowed', () => {
    expect(parseRange('Bytes= 10-19 ', SIZE)).toEqual(range(10, 19));
    expect(parseRange('bytes=10-19, ', SIZE)).toEqual(range(10, 19));
  });

  test('a range starting at or past the end, or -0, is unsatisfiable', () => {
    expect(parseRange('bytes=1000-', SIZE)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=1000-1000', SIZE)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=123456789012345678901234567890-', SIZE)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=-0', SIZE)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=2000-3000,1000-', SIZE)).toEqual({ kind: 'unsatisfiable' });
  });

  test('several ranges with any satisfiable one are answered whole', () => {
    expect(parseRange('bytes=0-9,20-29', SIZE)).toEqual({ kind: 'whole' });
    expect(parseRange('bytes=0-9,5000-', SIZE)).toEqual({ kind: 'whole' });
  });

  test('an empty object satisfies no range', () => {
    expect(parseRange('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=-10', 0)).toEqual({ kind: 'unsatisfiable' });
  });

  test('Content-Range names the inclusive offsets and the whole size', () => {
    expect(contentRange({ start: 900, end: 999 }, SIZE)).toBe('bytes 900-999/1000');
  });
});
