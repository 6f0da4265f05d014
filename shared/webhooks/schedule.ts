const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * WEBHOOK_RETRY_SCHEDULE: the waits before each retry, comma-separated, each
 * a whole number with a unit (`ms`, `s`, `m`, `h`, `d`), e.g. the spec's
 * "5s,5m,30m,2h,5h,10h,10h". Answers the waits in ms, or why it is not one.
 */
export function parseSchedule(raw: string): number[] | string {
  const parts = raw.split(',').map((p) => p.trim());
  if (parts.length > 30) return `expected at most 30 retries, got ${parts.length}`;
  const waits: number[] = [];
  for (const part of parts) {
    const m = /^(\d{1,9})(ms|s|m|h|d)$/.exec(part);
    if (!m) return `expected waits like "5s,5m,30m,2h" (units ms, s, m, h, d), got "${part}"`;
    const ms = Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
    if (ms < 1 || ms > 7 * UNIT_MS.d) return `expected each wait from 1ms to 7d, got "${part}"`;
    waits.push(ms);
  }
  return waits;
}

/**
 * The wait before retry `attempt` (0 for the first retry): the schedule's
 * step, spread by ±20 % so the retries of many events that failed together
 * (a receiver that was down) do not all arrive again in the same instant.
 */
export function retryDelayMs(schedule: readonly number[], attempt: number, random: () => number = Math.random): number {
  const base = schedule[Math.min(attempt, schedule.length - 1)]!;
  return Math.max(1, Math.round(base * (0.8 + 0.4 * random())));
}
