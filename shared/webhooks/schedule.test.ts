import { describe, expect, test } from 'bun:test';
import { parseSchedule, retryDelayMs } from './schedule.ts';

describe('webhook retry schedule', () => {
  test('reads the specification example as waits in ms', () => {
    expect(parseSchedule('5s,5m,30m,2h,5h,10h,10h')).toEqual([5000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
  });

  test('names the step it cannot read', () => {
    expect(parseSchedule('5s,,5m')).toContain('got ""');
    expect(parseSchedule('5 seconds')).toContain('got "5 seconds"');
    expect(parseSchedule('8d')).toBe('expected each wait from 1ms to 7d, got "8d"');
  });

  test('spreads each wait by at most a fifth either way', () => {
    expect(retryDelayMs([1000, 5000], 0, () => 0)).toBe(800);
    expect(retryDelayMs([1000, 5000], 1, () => 1)).toBe(6000);
    expect(retryDelayMs([1000, 5000], 1, () => 0.5)).toBe(5000);
  });
});
