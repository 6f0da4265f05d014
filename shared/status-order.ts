import { RedisScript } from './redis-script.ts';

/**
 * The one status write, as a Lua script body. KEYS[1] is the job's hash;
 * ARGV: the new status, the TTL, the events channel, the event JSON without
 * its version, the mode, then more field/value pairs.
 *
 * - Versions: every change increments the job's `version` and the event is
 *   published with it, so listeners order changes by version, never by
 *   `updated_at` (the wall clock of whichever host wrote it; hosts' clocks
 *   disagree).
 * - Order: in mode `forward` a status only moves forward (queued → fetching →
 *   processing → saving → done | failed) and never leaves done or failed, so a late
 *   worker (its entry reclaimed, or stopped and resumed) cannot set a
 *   finished job back. A refused write changes and publishes nothing and
 *   answers 0. Mode `reset` is a dead-letter retry's explicit way back to
 *   `queued`, forgetting the failure's reason.
 */
const SET_STATUS_LUA = `
local rank = { queued = 0, fetching = 1, processing = 2, saving = 3, done = 4, failed = 4 }
if ARGV[5] == 'reset' then
  redis.call('HDEL', KEYS[1], 'error_code', 'error_message')
else
  local was = rank[redis.call('HGET', KEYS[1], 'status') or '']
  local now = rank[ARGV[1]]
  if was and now and (was == 4 or now < was) then return 0 end
end
local v = redis.call('HINCRBY', KEYS[1], 'version', 1)
redis.call('HSET', KEYS[1], 'status', ARGV[1], unpack(ARGV, 6))
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('PUBLISH', ARGV[3], '{"version":' .. v .. ',' .. string.sub(ARGV[4], 2))
return v`;

export const SET_STATUS = new RedisScript(SET_STATUS_LUA);

/**
 * Lua for scripts that run their caller's commands (a hand-over, a
 * dead-letter retry): `run_command(words)` runs one, `run_commands(from)` runs
 * those encoded in ARGV from index `from` (each as its word count, then its
 * words). Scripts cannot call EVAL, so the status write (an EVAL of
 * SET_STATUS_LUA, as JobStore makes it) runs inline; any other EVAL is an error.
 */
export const RUN_COMMANDS_LUA = `
local function set_status(KEYS, ARGV)${SET_STATUS_LUA}
end
local function run_command(words)
  if words[1] == 'EVAL' then
    if redis.sha1hex(words[2]) ~= '${SET_STATUS.sha}' then error('only the status script runs inline') end
    return set_status({ words[4] }, { unpack(words, 5) })
  end
  return redis.call(unpack(words))
end
local function run_commands(from)
  local i = from
  while i <= #ARGV do
    local n = tonumber(ARGV[i])
    run_command({ unpack(ARGV, i + 1, i + n) })
    i = i + n + 1
  end
end`;

/** Commands as RUN_COMMANDS_LUA's run_commands reads them from ARGV: each one's word count, then its words. */
export function commandWords(commands: ReadonlyArray<ReadonlyArray<string | Buffer>>): Array<string | Buffer> {
  const words: Array<string | Buffer> = [];
  for (const c of commands) words.push(String(c.length), ...c);
  return words;
}
