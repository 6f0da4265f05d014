import type { Sql } from '../db.ts';
import { GoneError, NotFoundError } from '../errors.ts';
import { completedAt, type BatchProgress, type Finish } from './progress.ts';
import type { JobState, JobStore } from '../jobs.ts';
import { calling } from '../unavailable.ts';
import { batchJobIds, findBatch } from './batch-rows.ts';

/** A batch job's status as the batch reports it: `saving` counts as processing. */
export type BatchJobStatus = 'queued' | 'processing' | 'done' | 'failed';

export interface BatchJob {
  /** Position in the upload, from 0. */
  index: number;
  id: string;
  status: BatchJobStatus;
  error?: { code: string; message: string };
}

export interface BatchSnapshot {
  id: string;
  status: 'running' | 'complete';
  image_count: number;
  created_at: string;
  /** When the last job ended (complete batches only). */
  completed_at?: string;
  /** When the batch and its files will be deleted (complete batches only). */
  expires_at?: string;
  counts: Record<BatchJobStatus, number>;
  jobs: BatchJob[];
}

export interface SnapshotDeps {
  sql: Sql;
  jobs: JobStore;
  progress: BatchProgress;
  /** BATCH_TTL_SECONDS: expiry counts from completion even before the saver has written it down. */
  ttlSeconds: number;
}

/**
 * A batch's status now: every job's status and the counts, and whether it
 * is complete (every job done or failed). The one place that answers "where
 * is this batch", for `GET /api/batches/{id}`, the archive, and a live feed
 * (SSE) that would send it on every change. Throws NotFoundError for an
 * unknown id and GoneError once the batch has expired, judged on the
 * database's clock as the sweeper judges it, never this host's.
 *
 * A job's end is read from the batch's finished records (written in the
 * MULTI that ended it), its progress before that from its status hash.
 */
export async function batchSnapshot(deps: SnapshotDeps, id: string): Promise<BatchSnapshot> {
  const row = await calling('postgres', findBatch(deps.sql, id));
  if (!row) throw new NotFoundError(`no batch with id "${id}"`);
  const now = row.read_at;
  const gone = () => new GoneError(`batch "${id}" has expired and its images have been deleted`);
  if (row.expired_at || (row.expires_at && row.expires_at <= now)) throw gone();
  const [ids, finished] = await Promise.all([
    calling('postgres', batchJobIds(deps.sql, id)),
    calling('redis', deps.progress.finished(id)),
  ]);
  const jobs = await Promise.all(ids.map((jobId, index) => jobOf(deps.jobs, jobId, index, finished.get(jobId))));
  const counts: Record<BatchJobStatus, number> = { queued: 0, processing: 0, done: 0, failed: 0 };
  for (const j of jobs) counts[j.status]++;
  const snapshot: BatchSnapshot = {
    id,
    status: 'running',
    image_count: row.image_count,
    created_at: row.created_at.toISOString(),
    counts,
    jobs,
  };
  const completed = row.completed_at?.toISOString() ?? completedAt(finished, row.image_count);
  if (!completed) return snapshot;
  const expires = row.expires_at ?? new Date(Date.parse(completed) + deps.ttlSeconds * 1000);
  if (expires <= now) throw gone();
  return { ...snapshot, status: 'complete', completed_at: completed, expires_at: expires.toISOString() };
}

/** The JSON of GET /api/batches/{id} and its event stream: the snapshot, plus where its ZIP is once complete. */
export function snapshotBody(snapshot: BatchSnapshot, baseUrl: string): Record<string, unknown> {
  if (snapshot.status !== 'complete') return { ...snapshot };
  return { ...snapshot, archive_url: `${baseUrl}/api/batches/${snapshot.id}/archive` };
}

async function jobOf(store: JobStore, id: string, index: number, finish: Finish | undefined): Promise<BatchJob> {
  if (finish) return { index, id, status: finish.status, ...(finish.error && { error: finish.error }) };
  const state = await calling('redis', store.get(id));
  return { index, id, status: liveStatus(state) };
}

/** An unfinished job is queued until a processor takes it; a status hash not written yet reads as queued. */
function liveStatus(state: JobState | null): BatchJobStatus {
  if (!state || state.status === 'queued') return 'queued';
  // done and failed are recorded as finishes in the same MULTI; seeing them here means that record is on its way.
  if (state.status === 'done' || state.status === 'failed') return state.status;
  return 'processing';
}
