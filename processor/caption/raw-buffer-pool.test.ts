import { describe, expect, test } from 'bun:test';
import { RawBufferPool } from './raw-buffer-pool.ts';

describe('the raw buffer pool', () => {
  test('lends a buffer of the asked size and reuses its memory once given back', () => {
    const pool = new RawBufferPool();
    const first = pool.take(1000);
    expect(first.buffer.length).toBe(1000);
    const memory = first.buffer.buffer;
    first.release();
    const second = pool.take(900);
    expect(second.buffer.length).toBe(900);
    expect(second.buffer.buffer).toBe(memory);
  });

  test('never lends the same memory to two holders at once', () => {
    const pool = new RawBufferPool();
    const a = pool.take(1000);
    const b = pool.take(1000);
    expect(b.buffer.buffer).not.toBe(a.buffer.buffer);
    a.buffer.fill(1);
    b.buffer.fill(2);
    expect(a.buffer.every((v) => v === 1)).toBe(true);
  });

  test('ignores a second release of the same loan', () => {
    const pool = new RawBufferPool();
    const a = pool.take(1000);
    a.release();
    a.release();
    expect(pool.idle).toBe(1);
    const b = pool.take(1000);
    const c = pool.take(1000);
    expect(c.buffer.buffer).not.toBe(b.buffer.buffer);
  });

  test('keeps at most `keep` buffers and never keeps one over its size limit', () => {
    const pool = new RawBufferPool(1 << 20, 2);
    const loans = [pool.take(1000), pool.take(2000), pool.take(3000)];
    for (const loan of loans) loan.release();
    expect(pool.idle).toBe(2);
    const huge = pool.take((1 << 20) + 1);
    expect(huge.buffer.length).toBe((1 << 20) + 1);
    huge.release();
    expect(pool.idle).toBe(2);
  });
});
