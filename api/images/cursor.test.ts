import { describe, expect, test } from 'bun:test';
import { BadRequestError } from '../../shared/errors.ts';
import { decodeCursor, encodeCursor, LIMIT_DEFAULT, LIMIT_MAX, parseLimit } from './cursor.ts';

const ID = '3f2b8c1e-9a4d-4e7f-8b21-0c5d6e7f8a9b';
const AT = '2025-01-02T03:04:05.678Z';

const raw = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

function badRequest(fn: () => unknown): BadRequestError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as BadRequestError).status).toBe(400);
    expect((err as BadRequestError).code).toBe('invalid_query');
    return err as BadRequestError;
  }
  throw new Error('expected a BadRequestError');
}

describe('cursor', () => {
  test('decodes what it encoded', () => {
    expect(decodeCursor(encodeCursor({ receivedAt: AT, id: ID }))).toEqual({ receivedAt: AT, id: ID });
  });

  test('round-trips the instants the database hands back', () => {
    for (const at of [new Date(0), new Date('1999-12-31T23:59:59.999Z'), new Date('2100-06-15T12:00:00Z')]) {
      const receivedAt = at.toISOString();
      expect(decodeCursor(encodeCursor({ receivedAt, id: ID }))).toEqual({ receivedAt, id: ID });
    }
  });

  test('is safe to put in a URL as it is', () => {
    const cursor = encodeCursor({ receivedAt: AT, id: ID });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(encodeURIComponent(cursor)).toBe(cursor);
  });

  test('gives different positions different cursors', () => {
    const other = '00000000-0000-4000-8000-000000000000';
    expect(encodeCursor({ receivedAt: AT, id: ID })).not.toBe(encodeCursor({ receivedAt: AT, id: other }));
  });

  test.each([
    ['an empty string', ''],
    ['punctuation', '!!!'],
    ['base64 of plain text', raw('hello')],
    ['a bare timestamp', raw(AT)],
    ['a bare id', raw(ID)],
    ['an id that is not a UUID', raw(`${AT}|42`)],
    ['an upper-case UUID', raw(`${AT}|${ID.toUpperCase()}`)],
    ['an empty timestamp', raw(`|${ID}`)],
    ['a timestamp that is not a date', raw(`yesterday|${ID}`)],
    ['a bare number as the timestamp', raw(`1|${ID}`)],
    ['a bare year as the timestamp', raw(`2025|${ID}`)],
    ['an American date as the timestamp', raw(`12/31/2024|${ID}`)],
    ['a month that does not exist', raw(`2025-13-02T03:04:05Z|${ID}`)],
    ['an extra part', raw(`${AT}|${ID}|more`)],
    ['the parts in the wrong order', raw(`${ID}|${AT}`)],
    ['an SQL fragment', raw(`${AT}' or 1=1 --|${ID}`)],
  ])('refuses %s as a cursor with 400 invalid_query', (_, cursor) => {
    badRequest(() => decodeCursor(cursor));
  });

  test('names the cursor parameter in its message', () => {
    expect(badRequest(() => decodeCursor('garbage')).message).toContain('cursor');
  });
});

describe('parseLimit', () => {
  test('defaults to 50 when no limit is given', () => {
    expect(parseLimit(undefined)).toBe(50);
    expect(LIMIT_DEFAULT).toBe(50);
  });

  test('accepts every limit from 1 to 500', () => {
    expect(LIMIT_MAX).toBe(500);
    for (let n = 1; n <= 500; n++) expect(parseLimit(String(n))).toBe(n);
  });

  test('accepts leading zeros', () => {
    expect(parseLimit('007')).toBe(7);
  });

  test.each(['-1', '0', 'abc', '100000', '1.5', '501', '', ' 5', '5 ', '+5', '1e2', '0x10', 'Infinity', '9999999'])(
    'refuses a limit of %p with 400 invalid_query',
    (value) => {
      badRequest(() => parseLimit(value));
    },
  );

  test('names the limit parameter in its message', () => {
    expect(badRequest(() => parseLimit('abc')).message).toContain('limit');
  });
});
