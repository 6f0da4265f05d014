import type { Redis } from '../redis.ts';
import { command, text } from '../redis.ts';
import type { SerializedError } from '../errors.ts';
import { replyRecord } from '../redis-reply.ts';
import { RedisScript } from '../redis-script.ts';
import { isRedisOutOfMemory } from '../unavailable.ts';
import { parseEntries, parseReadGroup, type Entry } from './reply.ts';
import { commandWords, RUN_COMMANDS_LUA } from '../status-order.ts';
import { chargedXadd, fieldsCost, HEAL_COUNTER_LUA, queuedBytesKey } from './stream-bytes.ts';
import { isBinaryField } from '../messages.ts';

export type Command = Array<string | Buffer>;

/**
 * Resets an entry's idle time if, and only if, `consumer` still holds it.
 * JUSTID makes XCLAIM count no delivery; the ownership check keeps a consumer
 * from taking back an entry that another one has already reclaimed.
 */
const KEEP_CLAIMED = new RedisScript(`
local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1, ARGV[2])
if #p == 0 then return 0 end
redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[3], 'JUSTID')
return 1`);

/**
 * Counts one more delivery of an entry `consumer` still holds, for a retry in
 * place after a transient failure, and answers the new count (0 if it no
 * longer holds it). RETRYCOUNT sets the counter that XAUTOCLAIM and XPENDING
 * see, so a retry in place and a reclaim after a crash count alike; JUSTID
 * keeps Redis from copying the payload into a reply nobody reads.
 */
const CLAIM_AGAIN = new RedisScript(`
local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1, ARGV[2])
if #p == 0 then return 0 end
local n = p[1][4] + 1
redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[3], 'RETRYCOUNT', n, 'JUSTID')
return n`);

/**
 * Deletes the group's consumers, other than ARGV[2], that hold nothing and
 * have been idle at least ARGV[3] ms; answers their names. One script, so no
 * consumer can read an entry between the check and the delete (DELCONSUMER
 * drops whatever the consumer holds, and that entry would never be seen again).
 */
const FORGET_IDLE_CONSUMERS = new RedisScript(`
local deleted = {}
for _, c in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])) do
  local f = {}
  for i = 1, #c, 2 do f[c[i]] = c[i + 1] end
  if f.name ~= ARGV[2] and f.pending == 0 and f.idle >= tonumber(ARGV[3]) then
    redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], f.name)
    deleted[#deleted + 1] = f.name
  end
end
return deleted`);

const DEAD_LETTER_MAXLEN = '100000';

/**
 * Dead-letters the entry ARGV[3] of KEYS[1] (group ARGV[1]) only while
 * consumer ARGV[2] still owns it, as a hand-over does: a worker whose entry
 * was reclaimed cannot dead-letter it behind its new owner's back. Runs the
 * commands from ARGV[5] (the XADD to the dead letters KEYS[3] and its charge,
 * the ack, the job's `failed`); then trims the dead letters to ARGV[4]
 * entries oldest first, each trimmed one uncharged from KEYS[4] (a MAXLEN
 * would drop entries the counter still counted). The cost is entryCost's.
 */
const DEAD_LETTER = new RedisScript(`${RUN_COMMANDS_LUA}${HEAL_COUNTER_LUA}
local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1, ARGV[2])
if #p == 0 then return 0 end
run_commands(5)
heal_counter(KEYS[1], KEYS[2])
while redis.call('XLEN', KEYS[3]) > tonumber(ARGV[4]) do
  local oldest = redis.call('XRANGE', KEYS[3], '-', '+', 'COUNT', 1)[1]
  local payload = 0
  for _, word in ipairs(oldest[2]) do payload = payload + #word end
  redis.call('XDEL', KEYS[3], oldest[1])
  redis.call('DECRBY', KEYS[4], math.ceil(payload * 5 / 4) + 128)
end
return 1`);


/**
 * One Redis stream read through one consumer group. Entries are acknowledged
 * and deleted together, so the stream holds only unfinished work.
 */
export class StreamQueue {
  constructor(
    readonly redis: Redis,
    readonly key: string,
    readonly group: string,
  ) {}

  async ensureGroup(): Promise<void> {
    try {
      await command(this.redis, ['XGROUP', 'CREATE', this.key, this.group, '0', 'MKSTREAM']);
    } catch (err) {
      if (String((err as Error).message).startsWith('BUSYGROUP')) return;
      // A Redis at its maxmemory refuses XGROUP CREATE before looking whether
      // the group exists; a worker restarted then must still start draining.
      if (isRedisOutOfMemory(err) && (await this.groupExists())) return;
      throw err;
    }
  }

  private async groupExists(): Promise<boolean> {
    const groups = (await command(this.redis, ['XINFO', 'GROUPS', this.key]).catch(() => [])) as unknown[];
    return groups.some((g) => replyRecord(g).name === this.group);
  }

  async length(): Promise<number> {
    return Number(await command(this.redis, ['XLEN', this.key]));
  }

  /**
   * Tells other consumers that `consumer` is still working on `entryId`
   * (e.g. retrying it through an outage), so they do not reclaim it after
   * the idle time and count a delivery. Answers false if it no longer holds it.
   */
  async keepClaimed(consumer: string, entryId: string): Promise<boolean> {
    return Number(await KEEP_CLAIMED.run(this.redis, [this.key], [this.group, consumer, entryId])) === 1;
  }

  /**
   * Takes `entryId` again for a retry after a transient failure, counting a
   * delivery; answers its delivery count now, or 0 when another consumer
   * holds it (it reclaimed the entry meanwhile).
   */
  async claimAgain(consumer: string, entryId: string): Promise<number> {
    return Number(await CLAIM_AGAIN.run(this.redis, [this.key], [this.group, consumer, entryId]));
  }

  /**
   * Deletes the consumers of the group that have held nothing and done
   * nothing for `minIdleMs` (a restarted worker's old name, a scaled-down
   * replica), never `self`; answers their names. A consumer that comes back
   * is simply created again by its next read.
   */
  async forgetIdleConsumers(self: string, minIdleMs: number): Promise<string[]> {
    const names = await FORGET_IDLE_CONSUMERS.run(this.redis, [this.key], [this.group, self, String(Math.round(minIdleMs))]);
    return (names as unknown[]).map(text);
  }

  /** The counter of what this stream's entries cost (see stream-bytes.ts). */
  get bytesKey(): string {
    return queuedBytesKey(this.key);
  }

  /**
   * The commands that finish an entry; callers put them in their own MULTI or
   * script. `cost` (fieldsCost of the entry) is taken off the stream's counter.
   */
  ackCommands(entryId: string, cost = 0): Command[] {
    return [
      ['XACK', this.key, this.group, entryId],
      ['XDEL', this.key, entryId],
      ...(cost > 0 ? [['DECRBY', this.bytesKey, String(cost)]] : []),
    ];
  }

  /** New entries for `consumer`, blocking up to `blockMs` on the given (dedicated) connection. */
  async readNew(reader: Redis, consumer: string, count: number, blockMs: number): Promise<Entry[]> {
    const raw = await command(reader, [
      'XREADGROUP', 'GROUP', this.group, consumer, 'COUNT', String(count), 'BLOCK', String(blockMs), 'STREAMS', this.key, '>',
    ]);
    return parseReadGroup(raw).map((e) => ({ ...e, deliveries: 1 }));
  }

  /**
   * Takes over entries idle for at least `minIdleMs`, whoever held them: a dead
   * consumer's work, or our own entries left pending after a failure. Claiming
   * counts a delivery, so a message that keeps crashing its consumer ends in
   * the dead-letter stream instead of looping forever.
   *
   * Takes at most `count` entries from `cursor` on and answers where to go on
   * from ('0-0' once the whole pending list has been scanned): a pass takes
   * `count` at a time, each handled before the next is claimed, so none sits
   * claimed and idle long enough to be reclaimed back by someone else.
   */
  async reclaim(consumer: string, minIdleMs: number, count: number, cursor = '0-0'): Promise<{ entries: Entry[]; cursor: string }> {
    const raw = (await command(this.redis, [
      'XAUTOCLAIM', this.key, this.group, consumer, String(minIdleMs), cursor, 'COUNT', String(count),
    ])) as [Buffer, unknown, Buffer[] | undefined];
    const claimed = parseEntries(raw[1]);
    const gone = (raw[2] ?? []).map((id) => ({ id: text(id), fields: null }));
    return { entries: await this.withDeliveries(consumer, [...claimed, ...gone]), cursor: text(raw[0]) };
  }

  /**
   * A restarted consumer (same name) first takes back what it held when it
   * stopped. XCLAIM rather than a plain re-read, so the delivery is counted.
   */
  async claimOwnPending(consumer: string, count: number): Promise<Entry[]> {
    const pending = (await command(this.redis, [
      'XPENDING', this.key, this.group, '-', '+', String(count), consumer,
    ])) as Array<[Buffer, Buffer, number, number]>;
    if (pending.length === 0) return [];
    const ids = pending.map(([id]) => text(id));
    const raw = await command(this.redis, ['XCLAIM', this.key, this.group, consumer, '0', ...ids]);
    const claimed = parseEntries(raw);
    const found = new Set(claimed.map((e) => e.id));
    const gone = ids.filter((id) => !found.has(id)).map((id) => ({ id, fields: null }));
    return this.withDeliveries(consumer, [...claimed, ...gone]);
  }

  private async withDeliveries(consumer: string, entries: Array<Omit<Entry, 'deliveries'>>): Promise<Entry[]> {
    if (entries.length === 0) return [];
    const pending = (await command(this.redis, [
      'XPENDING', this.key, this.group, '-', '+', String(Math.max(entries.length * 4, 100)), consumer,
    ])) as Array<[Buffer, Buffer, number, number]>;
    const counts = new Map(pending.map(([id, , , n]) => [text(id), Number(n)]));
    return entries.map((e) => ({ ...e, deliveries: counts.get(e.id) ?? 1 }));
  }

  /**
   * Moves an entry to the dead-letter stream with its reason, and finishes it
   * here, together with `extra` (the job's `failed` status), at once and only
   * while `consumer` still owns it; answers whether it did. With
   * `dropPayload` (an input fault: no retry can succeed) the letter keeps the
   * entry's id, description, operations and reason but not its `image` and
   * `file:*` bytes (nor a result's `thumbnail`), and says `payload_dropped`; a reference to the store
   * (`image_key`) costs Redis nothing and stays.
   */
  async deadLetter(
    deadKey: string,
    consumer: string,
    entry: Entry,
    error: SerializedError,
    extra: Command[],
    dropPayload = false,
  ): Promise<boolean> {
    const original: Array<string | Buffer> = [];
    let dropped = false;
    for (const [k, v] of Object.entries(entry.fields ?? {})) {
      if (dropPayload && isBinaryField(k)) dropped = true;
      else original.push(k, v);
    }
    const xadd: Command = [
      'XADD', deadKey, '*',
      'source', this.key, 'source_id', entry.id, 'group', this.group,
      'error_code', error.code, 'error_name', error.name, 'error_message', error.message,
      ...(error.detail === undefined ? [] : ['error_detail', error.detail]),
      'deliveries', String(entry.deliveries), 'failed_at', new Date().toISOString(),
      ...(dropped ? ['payload_dropped', '1'] : []),
      ...original,
    ];
    const cost = entry.fields ? fieldsCost(entry.fields) : 0;
    const args = [this.group, consumer, entry.id, DEAD_LETTER_MAXLEN, ...commandWords([...chargedXadd(xadd), ...this.ackCommands(entry.id, cost), ...extra])];
    const keys = [this.key, this.bytesKey, deadKey, queuedBytesKey(deadKey)];
    return Number(await DEAD_LETTER.run(this.redis, keys, args)) === 1;
  }
}
