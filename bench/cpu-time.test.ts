import { describe, expect, test } from 'bun:test';
import { cpuBetween, parseMachineBusy, parseStat, readCpu, type CpuReading } from './cpu-time.ts';

describe('CPU accounting for the benchmark', () => {
  test('reads utime + stime from a stat line whose command name holds spaces and parentheses', () => {
    const line = '4242 (bun (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 9 0 123 0 0';
    expect(parseStat(line)).toBeCloseTo(3.25);
  });

  test('counts every busy column of /proc/stat but idle and iowait', () => {
    expect(parseMachineBusy('cpu  100 20 30 5000 70 5 5 10 0 0\ncpu0 1 2 3\n')).toBeCloseTo(1.7);
  });

  test('gives each part its CPU per image and share, and the rest to "other"', () => {
    const reading = (api: number, busy: number, at: number): CpuReading => ({ parts: new Map([['api', api]]), machineBusy: busy, at });
    const cpu = cpuBetween(reading(1, 10, 0), reading(3, 14, 2000), 100, 2);
    expect(cpu.uses).toEqual([{ part: 'api', seconds: 2, msPerImage: 20, share: 0.5 }]);
    expect(cpu.otherSeconds).toBeCloseTo(2);
    expect(cpu.utilisation).toBeCloseTo(1);
    expect(cpu.ceiling).toBeCloseTo(50);
  });

  test('reads this very process and the machine from /proc', async () => {
    // /proc counts in 10 ms ticks: spend a few so there is something to count.
    const until = performance.now() + 60;
    while (performance.now() < until);
    const reading = await readCpu([{ name: 'me', pid: process.pid }]);
    expect(reading.parts.get('me')).toBeGreaterThan(0);
    expect(reading.machineBusy).toBeGreaterThan(0);
  });
});
