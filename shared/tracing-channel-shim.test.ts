import { describe, expect, test } from 'bun:test';
import dc from 'node:diagnostics_channel';
import { ensureTracingChannelHasSubscribers } from './tracing-channel-shim.ts';

describe('TracingChannel.hasSubscribers', () => {
  test('is false without subscribers, true while one is subscribed, false again after', () => {
    ensureTracingChannelHasSubscribers();
    ensureTracingChannelHasSubscribers(); // twice is harmless
    const channel = dc.tracingChannel('kadr:test:has-subscribers');
    expect(channel.hasSubscribers).toBe(false);
    const handlers = { asyncEnd: () => {} };
    channel.subscribe(handlers as never);
    expect(channel.hasSubscribers).toBe(true);
    channel.unsubscribe(handlers as never);
    expect(channel.hasSubscribers).toBe(false);
  });
});
