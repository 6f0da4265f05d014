import { describe, expect, test } from 'bun:test';
import { ifRangeAllows, noneMatchHits } from './conditional.ts';

const ETAG = '"0190f5a2-7c1e-7000-8000-000000000001"';

describe('If-None-Match', () => {
  test('matches our tag, weak or strong, alone or in a list, and *', () => {
    expect(noneMatchHits(ETAG, ETAG)).toBe(true);
    expect(noneMatchHits(`W/${ETAG}`, ETAG)).toBe(true);
    expect(noneMatchHits(`"other", ${ETAG}`, ETAG)).toBe(true);
    expect(noneMatchHits(' * ', ETAG)).toBe(true);
  });

  test('does not match without the header or with other tags only', () => {
    expect(noneMatchHits(null, ETAG)).toBe(false);
    expect(noneMatchHits('"other"', ETAG)).toBe(false);
    expect(noneMatchHits('', ETAG)).toBe(false);
  });
});

describe('If-Range', () => {
  test('absent, or our strong tag, lets the range through', () => {
    expect(ifRangeAllows(null, ETAG)).toBe(true);
    expect(ifRangeAllows(ETAG, ETAG)).toBe(true);
    expect(ifRangeAllows(` ${ETAG} `, ETAG)).toBe(true);
  });

  test('another tag, a weak tag or a date asks for the whole image', () => {
    expect(ifRangeAllows('"other"', ETAG)).toBe(false);
    expect(ifRangeAllows(`W/${ETAG}`, ETAG)).toBe(false);
    expect(ifRangeAllows('Tue, 01 Dec 2026 09:00:00 GMT', ETAG)).toBe(false);
  });
});
