import type { Batch, JobStatus, KadrClient } from '../client/index.ts';
import { ApiError, withRetry } from './api-call.ts';
import { reasonOf } from './outcome.ts';

export type Found = { kind: 'job'; status: JobStatus } | { kind: 'batch'; batch: Batch } | { kind: 'missing'; id: string; reason: string };

/** A job's status, or else the batch of that id (kadr caption --batch prints a batch id). */
export async function lookup(client: KadrClient, id: string): Promise<Found> {
  try {
    const { data } = await withRetry(() => client.GET('/api/images/{id}/status', { params: { path: { id } } }));
    return { kind: 'job', status: data };
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 404) throw err;
  }
  try {
    const { data } = await withRetry(() => client.GET('/api/batches/{id}', { params: { path: { id } } }));
    return { kind: 'batch', batch: data };
  } catch (err) {
    if (!(err instanceof ApiError) || (err.status !== 404 && err.status !== 410)) throw err;
    return { kind: 'missing', id, reason: err.status === 410 ? String(err) : `404 not_found: no job or batch ${id}` };
  }
}

/** One line per job (its step or failure reason after the status); a batch adds one line per job. */
export function describe(found: Found): string[] {
  if (found.kind === 'missing') return [`${found.id}  ${found.reason}`];
  if (found.kind === 'job') {
    const s = found.status;
    const detail = s.status === 'failed' ? reasonOf(s.error) : (s.step ?? '');
    return [[s.id, s.status, `updated ${s.updated_at}`, detail].filter(Boolean).join('  ')];
  }
  const b = found.batch;
  const c = b.counts;
  const head = `${b.id}  batch ${b.status}  ${b.image_count} images: queued ${c.queued}, processing ${c.processing}, done ${c.done}, failed ${c.failed}`;
  return [
    b.archive_url ? `${head}  archive ${b.archive_url}` : head,
    ...b.jobs.map((j) => `  ${j.index + 1}. ${j.id}  ${j.status}${j.status === 'failed' ? `  ${reasonOf(j.error)}` : ''}`),
  ];
}
