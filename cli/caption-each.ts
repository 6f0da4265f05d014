import { randomUUID } from 'node:crypto';
import { multipart, type KadrClient, type Step } from '../client/index.ts';
import { ApiError, withRetry } from './api-call.ts';
import { reasonOf, type Failure, type Outcome } from './outcome.ts';
import { OutputNames, type Photo } from './photos.ts';
import type { Progress } from './progress.ts';
import { saveBody } from './save.ts';
import { watchJobs } from './watch-jobs.ts';

export interface CaptionRequest {
  description: string;
  operations?: Step[];
  out: string;
}

/** Uploads at a time: enough to keep the queue fed, few enough not to hog the API. */
const UPLOADS_AT_ONCE = 4;

/**
 * Each photo as its own job: uploads them (each with an Idempotency-Key, so
 * a retry after 503 never makes a second job), follows them over the event
 * streams, and saves each result into `out` as soon as it is done.
 */
export async function captionEach(client: KadrClient, photos: Photo[], req: CaptionRequest, progress: Progress): Promise<Outcome> {
  const failures: Failure[] = [];
  const saved: string[] = [];
  const names = new OutputNames(req.out);
  const photoOf = new Map<string, Photo>();
  let uploaded = 0;
  const tally = () => ({ total: photos.length, done: saved.length, failed: failures.length });
  const fail = (photo: Photo, reason: string) => {
    failures.push({ photo: photo.path, reason });
    progress.note(`failed ${photo.path}: ${reason}`);
  };

  progress.update(tally(), `uploading 0/${photos.length}`);
  const queue = [...photos];
  await Promise.all(
    Array.from({ length: Math.min(UPLOADS_AT_ONCE, photos.length) }, async () => {
      for (let photo = queue.shift(); photo; photo = queue.shift()) {
        try {
          const key = randomUUID();
          const { data } = await withRetry(
            () =>
              client.POST('/api/images', {
                body: { image: photo!.file, description: req.description, operations: req.operations },
                bodySerializer: (body) => multipart(body as Record<string, unknown>),
                headers: { 'Idempotency-Key': key },
              }),
            { onWait: (s, err) => progress.note(`${photo!.path}: ${err.code}, sending again in ${s} s`) },
          );
          if (!data?.id) throw new Error('the API accepted the upload but sent no job id');
          photoOf.set(data.id, photo);
        } catch (err) {
          if (!(err instanceof ApiError)) throw err;
          fail(photo, String(err));
        }
        uploaded++;
        progress.update(tally(), `uploading ${uploaded}/${photos.length}`);
      }
    }),
  );

  const downloads: Promise<void>[] = [];
  const finished = new Set<string>();
  const download = async (id: string, photo: Photo) => {
    try {
      const { data, response } = await withRetry(() => client.GET('/api/images/{id}', { params: { path: { id } }, parseAs: 'stream' }));
      const path = names.next(photo.path, response.headers.get('content-type'));
      await saveBody(data as ReadableStream<Uint8Array>, path, req.out);
      saved.push(path);
    } catch (err) {
      fail(photo, `download: ${String(err)}`);
    }
    progress.update(tally(), 'processing');
  };
  if (photoOf.size > 0) {
    progress.update(tally(), 'processing');
    await watchJobs(client, [...photoOf.keys()], (news) => {
      const id = news.kind === 'missing' ? news.id : news.event.id;
      const photo = photoOf.get(id);
      if (!photo || finished.has(id)) return;
      if (news.kind === 'status' && news.event.status !== 'done' && news.event.status !== 'failed') return;
      finished.add(id);
      if (news.kind === 'missing') fail(photo, `job ${id}: the API does not know it (expired?)`);
      else if (news.event.status === 'failed') fail(photo, reasonOf(news.event.error));
      else downloads.push(download(id, photo));
      progress.update(tally(), 'processing');
    });
  }
  await Promise.all(downloads);
  progress.update(tally(), 'finished');
  return { total: photos.length, done: saved.length, out: req.out, saved, failures };
}
