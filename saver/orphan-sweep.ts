import type { Sql } from '../shared/db.ts';
import type { JobStatus, JobStore } from '../shared/jobs.ts';
import type { ClaimCheck } from '../shared/storage/claim-check.ts';
import { jobIdOfKey } from '../shared/storage/object-keys.ts';
import { ownedByRow } from '../shared/storage/owned.ts';

export interface OrphanDeps {
  claims: ClaimCheck;
  jobs: JobStore;
  /** Keys registered longer ago than this (by Redis' clock) are looked at (ORPHAN_AGE_SECONDS). */
  ageSeconds: number;
}

/** A job in one of these may still need its objects: a failed one is a dead letter, which may be retried. */
const LIVE: ReadonlySet<JobStatus> = new Set(['queued', 'processing', 'saving', 'failed']);

export interface OrphansSwept {
  /** Objects no live job needed, now deleted. */
  deleted: string[];
  /** Keys whose object a row owns, now only forgotten. */
  owned: number;
  /** Keys of live jobs, left as they are. */
  kept: number;
}

/**
 * Deletes the objects written for jobs that nobody needs any more, working
 * only from the registry (never a bucket listing). For each key registered
 * longer than `ageSeconds` ago: a live job's (its status, read first) is
 * kept; else one an `images` row records as its path is just forgotten;
 * else (the job is done, or Redis has no status: never enqueued or long
 * expired) the object is deleted, then forgotten. The status comes first: a
 * job is `done` only after its row exists, so a row inserted meanwhile is
 * always seen, and an owned result is never deleted.
 *
 * Safe on every saver at once: each step is idempotent, and two sweepers
 * that both delete an object delete one object.
 */
export async function sweepOrphans({ claims, jobs, ageSeconds }: OrphanDeps, sql: Sql, limit = 100): Promise<OrphansSwept> {
  const swept: OrphansSwept = { deleted: [], owned: 0, kept: 0 };
  for (;;) {
    // Kept keys stay in the set, so the next page starts after them.
    const keys = await claims.registry.olderThan(ageSeconds, swept.kept, limit);
    for (const key of keys) {
      const id = jobIdOfKey(key);
      const status = id ? (await jobs.get(id))?.status : undefined;
      if (status && LIVE.has(status)) swept.kept++;
      else if (await ownedByRow(sql, key)) {
        await claims.registry.forget(key);
        swept.owned++;
      } else {
        await claims.discard(key);
        swept.deleted.push(key);
      }
    }
    if (keys.length < limit) return swept;
  }
}
