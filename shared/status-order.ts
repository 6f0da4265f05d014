import { createHash } from 'node:crypto';

/**
 * The guarded status write, as a Lua script body: KEYS[1] is the job's hash;
 * ARGV is the new status, the TTL, the events channel, the event, then more
 * field/value pairs. A job's status only moves forward (queued → fetching → processing
 * → saving → done | failed) and never leaves done or failed: a late worker —
 * one whose entry was reclaimed, or stopped and resumed — cannot set a
 * finished job back to `saving`. A refused write publishes nothing and
 * answers 0. Only a dead-letter retry moves a job back, and it does so with
 * its own explicit reset (JobStore.resetCommands).
 */
export const SET_STATUS_LUA = `
local rank = { queued = 0, fetching = 1, processing = 2, saving = 3, done = 4, failed = 4 }
local was = rank[redis.call('HGET', KEYS[1], 'status') or '']
local now = rank[ARGV[1]]
if was and now and (was == 4 or now < was) then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[1], unpack(ARGV, 5))
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1`;

export const SET_STATUS_SHA = createHash('sha1').update(SET_STATUS_LUA).digest('hex');

/**
 * Lua that runs a command list encoded in ARGV from index `from` (each
 * command as its word count, then its words), for scripts that run their
 * caller's commands. Scripts cannot call EVAL, so a guarded status write
 * (an EVAL of SET_STATUS_LUA, as JobStore.commands makes it) runs inline
 * here; any other EVAL is refused as an error.
 */
export const RUN_COMMANDS_LUA = `
local function set_status(KEYS, ARGV)${SET_STATUS_LUA}
end
local function run_commands(from)
  local i = from
  while i <= #ARGV do
    local n = tonumber(ARGV[i])
    if ARGV[i + 1] == 'EVAL' then
      if redis.sha1hex(ARGV[i + 2]) ~= '${SET_STATUS_SHA}' then error('only the status script runs inline') end
      set_status({ ARGV[i + 4] }, { unpack(ARGV, i + 5, i + n) })
    else
      redis.call(unpack(ARGV, i + 1, i + n))
    end
    i = i + n + 1
  end
end`;
