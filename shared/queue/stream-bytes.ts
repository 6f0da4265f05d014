import type { Fields } from '../messages.ts';
import type { Command } from './stream.ts';

/**
 * What one stream entry is charged against REDIS_MAX_QUEUED_BYTES: its field
 * names and values, plus a quarter and 128 bytes. Redis keeps an entry in a
 * listpack allocated in jemalloc size classes (four per doubling, so up to a
 * quarter more than asked), and a node, a consumer group's pending entry and
 * field headers around it: measured with MEMORY USAGE ... SAMPLES 0 on Redis
 * 7.0, streams of 300 B to 10 MiB entries took 1.07 to 1.33 times their
 * payload, always under this charge. So the counters bound the memory the
 * streams take, not only their payload. Lua computes the same figure (see
 * TRIM_DEAD in stream.ts), so it must stay an integer function of `payload`.
 */
export function entryCost(payload: number): number {
  return Math.ceil((payload * 5) / 4) + 128;
}

/** The cost of an entry as a consumer reads it back. */
export function fieldsCost(fields: Fields): number {
  let payload = 0;
  for (const [name, value] of Object.entries(fields)) payload += Buffer.byteLength(name) + value.length;
  return entryCost(payload);
}

/** The cost of the entry an XADD adds: its words after the id (`*`). */
export function xaddCost(xadd: Command): number {
  let payload = 0;
  for (const word of xadd.slice(xadd.indexOf('*') + 1)) payload += typeof word === 'string' ? Buffer.byteLength(word) : word.length;
  return entryCost(payload);
}

/**
 * The running total of what a stream's entries cost, kept beside it: every
 * XADD to a kadr stream has an INCRBY in the same MULTI or script, every XDEL
 * a DECRBY (see StreamQueue.ackCommands). Reading it is O(1), where MEMORY
 * USAGE ... SAMPLES 0 walks every node (2.8 ms for 100 entries of 68 KB) and
 * its sampled default guesses wrong when entry sizes vary.
 */
export function queuedBytesKey(streamKey: string): string {
  return `${streamKey}:bytes`;
}

/** An XADD followed by the INCRBY that charges it to its stream's counter. */
export function chargedXadd(xadd: Command): Command[] {
  return [xadd, ['INCRBY', queuedBytesKey(String(xadd[1])), String(xaddCost(xadd))]];
}

/**
 * Stream 2's own limit: a quarter of REDIS_MAX_QUEUED_BYTES. Processors stop
 * reading uploads while it is reached, and admission always counts stream 2
 * as at least this full, so uploads and dead letters share the other three
 * quarters and the three streams together stay under the bound however the
 * results compare in size with their uploads (a PNG result can be ten times
 * its JPEG upload).
 */
export function captionedLimit(maxQueuedBytes: number): number {
  return Math.floor(maxQueuedBytes / 4);
}

/**
 * Lua for scripts that finish an entry: after its XDEL and DECRBY, a stream
 * left empty sets its counter to 0, so a counter that drifted (entries from
 * before counters existed, trimmed ones) heals once the stream drains.
 */
export const HEAL_COUNTER_LUA = `
local function heal_counter(stream, counter)
  if redis.call('XLEN', stream) == 0 or tonumber(redis.call('GET', counter) or '0') < 0 then
    redis.call('SET', counter, 0)
  end
end`;
