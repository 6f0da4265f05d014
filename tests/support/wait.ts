/**
 * Polls `check` until it returns a truthy value and returns that value. Throws
 * after `timeoutMs`, naming `what` and, when given, the state `explain` reports,
 * so a timeout says what was still missing instead of "condition not met".
 */
export async function until<T>(
  what: string,
  check: () => Promise<T> | T,
  timeoutMs: number,
  opts: { intervalMs?: number; explain?: () => Promise<string> | string } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) {
      const state = opts.explain ? `: ${await opts.explain()}` : '';
      throw new Error(`${what} not reached in ${timeoutMs} ms${state}`);
    }
    await Bun.sleep(opts.intervalMs ?? 50);
  }
}
