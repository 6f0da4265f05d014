import type { Redis } from './redis.ts';
import type { Keys } from './queue/keys.ts';
import { command } from './redis.ts';
import { replyRecord } from './redis-reply.ts';
import type { Command } from './queue/stream.ts';
import type { SerializedError } from './errors.ts';
import { SET_STATUS } from './status-order.ts';

/** In their order: `fetching` only for an image given by URL, while the processor downloads it. */
export const JOB_STATUSES = ['queued', 'fetching', 'processing', 'saving', 'done', 'failed'] as const;
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
   * The write is one EVAL of the status script (shared/status-order.ts):
   * it increments the job's version, which orders changes (never
   * `updated_at`: two hosts' clocks disagree), and refuses to move a job
   * backwards or out of done/failed, publishing nothing then. Plain EVAL, not
   * EVALSHA: inside a MULTI, NOSCRIPT after a Redis restart would fail that
   * command alone while the rest of the transaction ran. `at` (ISO) is the
   * change's `updated_at`, for callers that report the same instant elsewhere
   * (a webhook event); default now.
   */
  commands(id: string, status: JobStatus, extra: Record<string, string> = {}, error?: SerializedError, at?: string): Command[] {
    return [this.statusCommand(id, status, 'forward', extra, error, at)];
  }

  /**
   * Sets a job back to `queued` whatever it was, forgetting a previous
   * failure's reason: only for a job explicitly sent round again (a dead
   * letter retried), the one move backwards there is.
   */
  resetCommands(id: string, extra: Record<string, string> = {}): Command[] {
    return [this.statusCommand(id, 'queued', 'reset', extra)];
  }

  private statusCommand(
    id: string,
    status: JobStatus,
    mode: 'forward' | 'reset',
    extra: Record<string, string>,
    error?: SerializedError,
    at?: string,
  ): Command {
    const updated_at = at ?? new Date().toISOString();
    const fields = ['updated_at', updated_at];
    for (const [k, v] of Object.entries(extra)) fields.push(k, v);
    if (error) fields.push('error_code', error.code, 'error_message', error.message);
    const event: Omit<JobEvent, 'version'> = { id, status, updated_at };
    if (error) event.error = { code: error.code, message: error.message };
    return SET_STATUS.command([this.keyOf(id)], [status, String(this.ttlSeconds), this.channel, JSON.stringify(event), mode, ...fields]);
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
