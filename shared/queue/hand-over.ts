import type { Logger } from '../logger.ts';
import { RedisScript } from '../redis-script.ts';
import { commandWords, RUN_COMMANDS_LUA } from '../status-order.ts';
import type { Claim } from './claim.ts';
import { HEAL_COUNTER_LUA } from './stream-bytes.ts';
import type { Command } from './stream.ts';

/**
 * Runs the caller's commands, and acknowledges and deletes the entry, only if
 * ARGV[2] (the consumer) still owns the entry ARGV[3] of KEYS[1] in group
 * ARGV[1]; the commands follow from ARGV[4] (see RUN_COMMANDS_LUA). Answers
 * 1 if it ran them, 0 if the entry was reclaimed or finished by another
 * consumer. KEYS[2] is the stream's byte counter, healed once the stream
 * is empty (see stream-bytes.ts). The commands touch keys not declared in
 * KEYS; kadr runs on one Redis, not a cluster.
 */
const HAND_OVER = new RedisScript(`${RUN_COMMANDS_LUA}${HEAL_COUNTER_LUA}
local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1, ARGV[2])
if #p == 0 then return 0 end
run_commands(4)
heal_counter(KEYS[1], KEYS[2])
return 1`);

/**
 * Finishes the claimed entry together with `commands` (the XADD to the next
 * stream, the status, the stats), all at once and only while this consumer
 * still owns it: a worker whose entry was reclaimed while it was slow or
 * stopped has its result refused, so nothing is handed over, counted or
 * marked twice. Answers whether it was handed over; a refusal is logged.
 */
export async function handOver(claim: Claim, commands: Command[], log: Logger): Promise<boolean> {
  const { queue, consumer, entryId } = claim;
  if (!claim.lost) {
    const args = [queue.group, consumer, entryId, ...commandWords([...commands, ...queue.ackCommands(entryId, claim.cost)])];
    if (Number(await HAND_OVER.run(queue.redis, [queue.key, queue.bytesKey], args)) === 1) return true;
  }
  log.warn({ entryId }, 'hand-over refused: the entry was reclaimed by another consumer');
  return false;
}
