import type { Redis } from './redis.ts';
import type { Keys } from './queue/keys.ts';
import { command } from './redis.ts';
import { replyRecord } from './redis-reply.ts';
import { RedisScript } from './redis-script.ts';
import type { Command } from './queue/stream.ts';
import type { SerializedError } from './errors.ts';

export const JOB_STATUSES = ['queued', 'processing', 'saving', 'done', 'failed'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export interface JobState {
  status: JobStatus;
  /** Goes up by one at every status change: what orders them (see JobStore.commands). */
  version: number;
  received_at: string;
  updated_at: string;
  error?: { code: string; message: string };
  /** The pipeline step running ("3/5 resize") while processing, or the one that failed. */
  step?: string;
}

/** What is published on the events channel at every status change. */
export interface JobEvent {
  id: string;
  status: JobStatus;
  /** The job's version after this change; an event not newer than one already seen is stale. */
  version: number;
  updated_at: string;
  error?: { code: string; message: string };
}

/**
 * Sets a status: the version goes up, the fields are written, the TTL renewed
 * and the event published with the new version, in one step. One command, so
 * it joins the caller's MULTI like any other; the event JSON is built by the
 * caller and only its version spliced in here.
 */
const SET_STATUS_FUNCTION = `
local function kadr_set_status(key, channel, ttl, event, ...)
  local v = redis.call('HINCRBY', key, 'version', 1)
  redis.call('HSET', key, ...)
  redis.call('EXPIRE', key, ttl)
  redis.call('PUBLISH', channel, '{"version":' .. v .. ',' .. string.sub(event, 2))
  return v
end`;

/** KEYS[1] the job hash; ARGV: channel, ttl, event JSON without version, then field/value pairs. */
const SET_STATUS = new RedisScript(`${SET_STATUS_FUNCTION}
return kadr_set_status(KEYS[1], unpack(ARGV))`);

/**
 * Lua for scripts that run a list of commands, JobStore's among them: a
 * script cannot EVAL, so `kadr_run(words)` runs the status script's command
 * by calling its function, and any other command as it is.
 */
export const RUN_COMMAND_LUA = `${SET_STATUS_FUNCTION}
local function kadr_run(words)
  if words[1] == 'EVAL' and words[3] == '1' and redis.sha1hex(words[2]) == '${SET_STATUS.sha}' then
    return kadr_set_status(words[4], unpack(words, 5))
  end
  return redis.call(unpack(words))
end`;

/**
 * A job's live status, one Redis hash per job with a TTL. Written in the same
 * MULTI as the queue operation that changes it, so status and queue agree.
 */
export class JobStore {
  private readonly keyOf: (id: string) => string;
  private readonly channel: string;

  constructor(
    private readonly redis: Redis,
    k: Pick<Keys, 'job' | 'events'>,
    private readonly ttlSeconds: number,
  ) {
    this.keyOf = k.job;
    this.channel = k.events;
  }

  /**
   * The command that sets a status. The PUBLISH rides in the caller's MULTI,
   * so a change is announced exactly when it is written, never before or
   * without it; listeners that were not subscribed read the hash instead.
   *
   * Changes are ordered by the job's version, which Redis increments with
   * every change, never by `updated_at`: that is the wall clock of whichever
   * host wrote it, and two hosts' clocks disagree (a saver 50 ms behind its
   * processor would make `done` look older than `saving`).
   */
  commands(id: string, status: JobStatus, extra: Record<string, string> = {}, error?: SerializedError): Command[] {
    const updated_at = new Date().toISOString();
    const fields = ['status', status, 'updated_at', updated_at];
    for (const [k, v] of Object.entries(extra)) fields.push(k, v);
    if (error) fields.push('error_code', error.code, 'error_message', error.message);
    const event: Omit<JobEvent, 'version'> = { id, status, updated_at };
    if (error) event.error = { code: error.code, message: error.message };
    return [SET_STATUS.command([this.keyOf(id)], [this.channel, String(this.ttlSeconds), JSON.stringify(event), ...fields])];
  }

  /** Forgets a previous failure's reason, for a job sent round again (a dead letter retried). */
  clearErrorCommand(id: string): Command {
    return ['HDEL', this.keyOf(id), 'error_code', 'error_message'];
  }

  async set(id: string, status: JobStatus, extra: Record<string, string> = {}): Promise<void> {
    const tx = this.redis.multi();
    for (const c of this.commands(id, status, extra)) tx.addCommand(c as never);
    await tx.exec();
  }

  async get(id: string): Promise<JobState | null> {
    const h = replyRecord(await command(this.redis, ['HGETALL', this.keyOf(id)])) as Record<string, string>;
    if (!h.status) return null;
    const state: JobState = {
      status: h.status as JobStatus,
      version: Number(h.version ?? 0),
      received_at: h.received_at ?? '',
      updated_at: h.updated_at ?? h.received_at ?? '',
    };
    if (h.error_code) state.error = { code: h.error_code, message: h.error_message ?? '' };
    // The field outlives its step; it means something only while processing or once failed.
    if (h.step && (state.status === 'processing' || state.status === 'failed')) state.step = h.step;
    return state;
  }
}
