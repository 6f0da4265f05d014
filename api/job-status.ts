import type { Sql } from '../shared/db.ts';
import type { JobState, JobStore } from '../shared/jobs.ts';
import { NotFoundError } from '../shared/errors.ts';
import { UUID_PATTERN } from '../shared/messages.ts';
import { findImage, type StoredImage } from './images-query.ts';

const UUID = new RegExp(UUID_PATTERN);

/** Ids are matched before any lookup, so a path like `../../etc/passwd` never reaches storage. */
export function requireJobId(raw: string): string {
  const id = raw.toLowerCase();
  if (!UUID.test(id)) throw new NotFoundError(`no image with id "${raw}" (ids are UUIDs)`);
  return id;
}

export interface Lookup {
  state: JobState;
  stored: StoredImage | null;
}

/**
 * A job's state: Redis holds the live status; once saved, the row in
 * PostgreSQL is the lasting record (the Redis status expires).
 */
export async function lookupJob(jobs: JobStore, sql: Sql, id: string): Promise<Lookup> {
  const [state, stored] = await Promise.all([jobs.get(id), findImage(sql, id)]);
  if (stored) {
    return {
      stored,
      state: {
        status: 'done',
        received_at: stored.received_at.toISOString(),
        updated_at: state?.status === 'done' ? state.updated_at : stored.saved_at.toISOString(),
      },
    };
  }
  if (!state) throw new NotFoundError(`no image with id "${id}"`);
  return { state, stored: null };
}
