import { describe, expect, test } from 'bun:test';
import { BadRequestError, PayloadTooLargeError } from '../../shared/errors.ts';
import { rejectionOf } from '../../tests/support/rejection.ts';
import { hasDeclaredLength, readBodyLimited } from './read-body.ts';

const ENDPOINT = 'http://kadr.test/api/images';

/** A body stream of `chunks` chunks of `size` bytes (endless when chunks is Infinity), counting what was pulled. */
function streamed(size: number, chunks: number) {
  const counter = { pulled: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (counter.pulled >= chunks) return controller.close();
      counter.pulled++;
      controller.enqueue(new Uint8Array(size).fill(7));
    },
  });
  return { stream, counter };
}

describe('readBodyLimited', () => {
  test('returns a body within the limit byte for byte, declared or streamed', async () => {
    const bytes = crypto.getRandomValues(new Uint8Array(5000));
    const declared = await readBodyLimited(new Request(ENDPOINT, { method: 'POST', body: bytes }), 5000);
    expect(Buffer.from(declared).equals(Buffer.from(bytes))).toBe(true);
    const { stream } = streamed(1000, 5);
    expect((await readBodyLimited(new Request(ENDPOINT, { method: 'POST', body: stream }), 5000)).byteLength).toBe(5000);
  });

  test('returns nothing for a request without a body', async () => {
    expect((await readBodyLimited(new Request(ENDPOINT, { method: 'POST' }), 10)).byteLength).toBe(0);
  });

  test('refuses by Content-Length without reading a byte', async () => {
    const request = new Request(ENDPOINT, { method: 'POST', body: 'x', headers: { 'content-length': '1000000000' } });
    const err = await rejectionOf(readBodyLimited(request, 1000, 'a 900-byte image and its form'), PayloadTooLargeError);
    expect(err.message).toBe('the body is 1000000000 bytes (Content-Length); at most 1000 bytes are accepted (a 900-byte image and its form)');
    expect(request.bodyUsed).toBe(false);
  });

  test('stops reading an endless body without a length soon after the limit', async () => {
    const { stream, counter } = streamed(1024, Infinity);
    await rejectionOf(readBodyLimited(new Request(ENDPOINT, { method: 'POST', body: stream }), 100_000), PayloadTooLargeError);
    expect(counter.pulled).toBeLessThan(200);
  });

  test('refuses a body that fails mid-way as unreadable', async () => {
    let sent = false;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent) return controller.error(new Error('connection reset'));
        sent = true;
        controller.enqueue(new Uint8Array(10));
      },
    });
    const err = await rejectionOf(readBodyLimited(new Request(ENDPOINT, { method: 'POST', body: stream }), 1000), BadRequestError);
    expect(err.code).toBe('malformed_multipart');
    expect(err.message).toContain('10 bytes');
  });
});

describe('hasDeclaredLength', () => {
  test('says whether a length is declared, and refuses one over the limit before reading', async () => {
    expect(hasDeclaredLength(new Request(ENDPOINT, { method: 'POST', body: 'abc', headers: { 'content-length': '3' } }), 10)).toBe(true);
    const { stream } = streamed(10, 1);
    expect(hasDeclaredLength(new Request(ENDPOINT, { method: 'POST', body: stream }), 10)).toBe(false);
    const over = new Request(ENDPOINT, { method: 'POST', body: 'x', headers: { 'content-length': '11' } });
    expect(() => hasDeclaredLength(over, 10, 'the form')).toThrow(PayloadTooLargeError);
    expect(over.bodyUsed).toBe(false);
  });
});
