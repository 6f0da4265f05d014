import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { multipart, type BatchEvent, type KadrClient } from '../client/index.ts';
import { readEvents } from '../client/event-stream.ts';
import { withRetry } from './api-call.ts';
import type { CaptionRequest } from './caption-each.ts';
import { reasonOf, type Outcome } from './outcome.ts';
import type { Photo } from './photos.ts';
import type { Progress } from './progress.ts';
import { saveBody } from './save.ts';

/**
 * All photos as one batch (one POST /api/batches, one description), followed
 * over the batch's event stream until it is complete, then its ZIP saved into
 * `out` as `batch-<id>.zip`. A stream that ends before `complete` (an API
 * restart) is opened again: its first event is the batch as it is now.
 */
export async function captionBatch(client: KadrClient, photos: Photo[], req: CaptionRequest, progress: Progress): Promise<Outcome> {
  progress.update({ total: photos.length, done: 0, failed: 0 }, 'uploading the batch');
  const key = randomUUID();
  const { data: accepted } = await withRetry(
    () =>
      client.POST('/api/batches', {
        body: { image: photos.map((p) => p.file), description: [req.description], operations: req.operations },
        bodySerializer: (body) => multipart(body as Record<string, unknown>),
        headers: { 'Idempotency-Key': key },
      }),
    { onWait: (s, err) => progress.note(`batch: ${err.code}, sending again in ${s} s`) },
  );
  const id = accepted?.id;
  if (!id) throw new Error('the API accepted the batch but sent no batch id');
  progress.note(`batch ${id}: ${photos.length} photos`);

  let batch: BatchEvent | undefined;
  for (let reopens = 0; batch?.status !== 'complete'; reopens++) {
    if (reopens > 10) throw new Error(`the event stream of batch ${id} kept ending before it completed`);
    if (reopens > 0) await Bun.sleep(1000);
    try {
      const { data: body } = await withRetry(() => client.GET('/api/batches/{id}/events', { params: { path: { id } }, parseAs: 'stream' }));
      for await (const { event, data } of readEvents(body as ReadableStream<Uint8Array>)) {
        if (event !== 'batch') continue;
        batch = data as BatchEvent;
        progress.update({ total: batch.image_count, done: batch.counts.done, failed: batch.counts.failed }, batch.status === 'complete' ? 'complete' : 'processing');
      }
    } catch (err) {
      // 404/410 will not change; a cut connection is reopened.
      if ((err as { status?: number }).status !== undefined || reopens >= 10) throw err;
    }
  }

  const failures = batch.jobs
    .filter((j) => j.status === 'failed')
    .map((j) => ({ photo: photos[j.index]?.path ?? `image ${j.index + 1}`, reason: reasonOf(j.error) }));
  const path = join(req.out, `batch-${id}.zip`);
  const { data: zip } = await withRetry(() => client.GET('/api/batches/{id}/archive', { params: { path: { id } }, parseAs: 'stream' }));
  await saveBody(zip as ReadableStream<Uint8Array>, path, req.out);
  return { total: batch.image_count, done: batch.counts.done, out: req.out, saved: [path], failures };
}
