import dc from 'node:diagnostics_channel';

/**
 * Gives Bun's TracingChannel the `hasSubscribers` getter Node has had since
 * 20.13/22.0 (oven-sh/bun#27805, open in Bun 1.4.5): true when any of its
 * five channels has a subscriber, as Node computes it.
 *
 * Why it matters: node-redis traces every command unless `hasSubscribers`
 * is exactly false, and its trace context turns every argument of EVALSHA
 * into a string, the image bytes of a hand-over included. Profiled under the
 * benchmark, that was 15 % of a processor's CPU for tracing nobody listens to.
 * Idempotent, and a no-op on a runtime that has the getter.
 */
export function ensureTracingChannelHasSubscribers(): void {
  const prototype = Object.getPrototypeOf(dc.tracingChannel('kadr:probe')) as object;
  if ('hasSubscribers' in prototype) return;
  Object.defineProperty(prototype, 'hasSubscribers', {
    configurable: true,
    get(this: Record<'start' | 'end' | 'asyncStart' | 'asyncEnd' | 'error', dc.Channel>) {
      return (
        this.start.hasSubscribers ||
        this.end.hasSubscribers ||
        this.asyncStart.hasSubscribers ||
        this.asyncEnd.hasSubscribers ||
        this.error.hasSubscribers
      );
    },
  });
}
