import type { Sql } from '../../shared/db.ts';
import type { JobState, JobStore } from '../../shared/jobs.ts';
import { NotFoundError, ServiceUnavailableError } from '../../shared/errors.ts';
import { calling } from '../../shared/unavailable.ts';
import { findImage, type StoredImage } from './images-query.ts';

export interface Lookup {
  state: JobState;
  stored: StoredImage | null;
}

/**
 * A job's state: Redis holds the live status; once saved, the row in
 * PostgreSQL is the lasting record (the Redis status expires). With
 * `statusOnly`, a job Redis still knows is answered from Redis alone while
 * PostgreSQL is unavailable, so clients polling for progress are not turned
 * away; anything that needs the row throws the unavailability (503).
 */
export async function lookupJob(jobs: JobStore, sql: Sql, id: string, opts: { statusOnly?: boolean } = {}): Promise<Lookup> {
  // allSettled: the live status is wanted even when the row lookup failed.
  const [live, row] = await Promise.allSettled([calling('redis', jobs.get(id)), findImage(sql, id)]);
  if (live.status === 'rejected') throw live.reason;
  const state = live.value;
  if (row.status === 'rejected') {
    if (opts.statusOnly && state && row.reason instanceof ServiceUnavailableError) return { state, stored: null };
    throw row.reason;
  }
  const stored = row.value;
  if (stored) {
    return {
      stored,
      state: {
        status: 'done',
        // A row without a live status (expired, swept) is past every change Redis announced.
        version: state?.version ?? 0,
        received_at: stored.received_at.toISOString(),
        updated_at: state?.status === 'done' ? state.updated_at : stored.saved_at.toISOString(),
      },
    };
  }
  if (!state) throw new NotFoundError(`no image with id "${id}"`);
  return { state, stored: null };
}
