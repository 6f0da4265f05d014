import { describe, expect, test } from 'bun:test';
import { size } from './stats.ts';

describe('size', () => {
  test('shows KiB below one MiB and MiB from there, so small streams still read as a number', () => {
    expect(size(3 * 1024)).toBe('3.0 KiB');
    expect(size(1024 * 1024 - 1)).toBe('1024.0 KiB');
    expect(size(5.5 * 1024 * 1024)).toBe('5.5 MiB');
    expect(size(undefined)).toBe('n/a');
  });
});
