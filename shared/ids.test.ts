import { describe, expect, test } from 'bun:test';
import { NotFoundError } from './errors.ts';
import { isUuid, requireUuid } from './ids.ts';

const ID = '01890a5d-ac96-7d3b-9b4e-5c6f7a8b9c0d';

describe('ids', () => {
  test('a lower-case UUID is one; upper case, other text and non-strings are not', () => {
    expect(isUuid(ID)).toBe(true);
    for (const value of [ID.toUpperCase(), `${ID}x`, ` ${ID}`, '', '../../etc/passwd', undefined, null, 42]) expect(isUuid(value)).toBe(false);
  });

  test('a path id is lower-cased, and anything else is a 404 naming what was looked for', () => {
    expect(requireUuid('image', ID.toUpperCase())).toBe(ID);
    for (const [kind, raw] of [['image', 'nope'], ['batch', '../../etc/passwd']] as const) {
      let caught: unknown;
      try {
        requireUuid(kind, raw);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(NotFoundError);
      expect((caught as NotFoundError).message).toBe(`no ${kind} with id "${raw}" (ids are UUIDs)`);
    }
  });
});
