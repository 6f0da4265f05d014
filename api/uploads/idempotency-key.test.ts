import { describe, expect, test } from 'bun:test';
import { BadRequestError } from '../../shared/errors.ts';
import { fingerprintUpload, hashIdempotencyKey, idempotencyKeyOf } from './idempotency-key.ts';

const headers = (key?: string) => new Headers(key === undefined ? {} : { 'idempotency-key': key });

function refusal(key: string): BadRequestError {
  try {
    idempotencyKeyOf(headers(key));
  } catch (err) {
    expect(err).toBeInstanceOf(BadRequestError);
    return err as BadRequestError;
  }
  throw new Error(`expected ${JSON.stringify(key)} to be refused`);
}

describe('idempotencyKeyOf', () => {
  test('is undefined when the request sends no key', () => {
    expect(idempotencyKeyOf(headers())).toBeUndefined();
  });

  test.each([
    ['a UUID', '4f1c2a9e-8b7d-4c3e-9f10-2a3b4c5d6e7f'],
    ['one character', 'k'],
    ['255 characters', 'k'.repeat(255)],
    ['every printable ASCII character', Array.from({ length: 95 }, (_, i) => String.fromCharCode(0x20 + i)).join('').trim()],
    ['inner spaces', 'order 42 / retry'],
  ])('accepts %s verbatim', (_, key) => {
    expect(idempotencyKeyOf(headers(key))).toBe(key);
  });

  test.each([
    ['an empty key', '', '0 characters'],
    ['256 characters', 'k'.repeat(256), '256 characters'],
    ['a tab', 'a\tb', 'U+0009'],
    ['a Latin-1 letter', 'caf\u00e9', 'U+00E9'],
    ['DEL', 'a\u007fb', 'U+007F'],
  ])('refuses %s with 400 invalid_idempotency_key saying what arrived', (_, key, got) => {
    const err = refusal(key);
    expect([err.status, err.code]).toEqual([400, 'invalid_idempotency_key']);
    expect(err.message).toContain('Idempotency-Key');
    expect(err.message).toContain('1 to 255 printable ASCII');
    expect(err.message).toContain(got);
  });
});

describe('hashIdempotencyKey', () => {
  test('is a stable 64-digit hex name that differs between keys', () => {
    expect(hashIdempotencyKey('a')).toMatch(/^[0-9a-f]{64}$/);
    expect(hashIdempotencyKey('a')).toBe(hashIdempotencyKey('a'));
    expect(hashIdempotencyKey('a')).not.toBe(hashIdempotencyKey('A'));
  });
});

describe('fingerprintUpload', () => {
  const image = new Uint8Array([1, 2, 3, 4]);

  test('is the same for the same image and description', () => {
    expect(fingerprintUpload({ image, description: 'cat' })).toBe(fingerprintUpload({ image: image.slice(), description: 'cat' }));
  });

  test('changes with one image byte or one description character', () => {
    const base = fingerprintUpload({ image, description: 'cat' });
    expect(fingerprintUpload({ image: new Uint8Array([1, 2, 3, 5]), description: 'cat' })).not.toBe(base);
    expect(fingerprintUpload({ image, description: 'cats' })).not.toBe(base);
    expect(fingerprintUpload({ image, description: 'Cat' })).not.toBe(base);
  });

  test('does not confuse bytes moved between the image and the description', () => {
    const a = fingerprintUpload({ image: new Uint8Array([0x61, 0x62]), description: 'c' });
    const b = fingerprintUpload({ image: new Uint8Array([0x61]), description: 'bc' });
    expect(a).not.toBe(b);
  });

  test('tells pipelines and their files apart, and an upload without one from any with one', () => {
    const plain = fingerprintUpload({ image, description: 'cat' });
    const grey = fingerprintUpload({ image, description: 'cat', operations: '[{"op":"grayscale"}]' });
    const flip = fingerprintUpload({ image, description: 'cat', operations: '[{"op":"flip"}]' });
    expect(new Set([plain, grey, flip]).size).toBe(3);
    const mark = (bytes: number[]) =>
      fingerprintUpload({ image, description: 'cat', operations: '[{"op":"watermark","image":"logo"}]', files: { logo: new Uint8Array(bytes) } });
    expect(mark([1])).not.toBe(mark([2]));
    expect(mark([1])).toBe(mark([1]));
  });
});
