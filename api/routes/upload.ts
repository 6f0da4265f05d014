import { Elysia } from 'elysia';
import type { Config } from '../../shared/config.ts';
import { publicBaseUrl } from '../../shared/config.ts';
import type { JobStore } from '../../shared/jobs.ts';
import type { Command, StreamQueue } from '../../shared/queue/stream.ts';
import { enqueueUpload, newAcceptance, type Accepted } from '../enqueue.ts';
import { QueueGauge } from '../queue-gauge.ts';
import { json } from '../http-errors.ts';
import type { IdempotencyStore, Outcome } from '../idempotency.ts';
import { fingerprintUpload, idempotencyKeyOf } from '../idempotency-key.ts';
import { readUpload } from '../upload.ts';
import { uploadDocs } from './upload-docs.ts';

export interface UploadRouteDeps {
  config: Config;
  uploads: StreamQueue;
  jobs: JobStore;
  idempotency: IdempotencyStore;
}

/** `POST /api/images`: checks the upload, enqueues it once per Idempotency-Key, answers 202. */
export function uploadRoute({ config, uploads, jobs, idempotency }: UploadRouteDeps) {
  const limits = {
    maxUploadBytes: config.maxUploadBytes,
    maxDescriptionLength: config.maxDescriptionLength,
    maxInputPixels: config.maxInputPixels,
  };
  const gauge = new QueueGauge(uploads);
  return new Elysia({ name: 'upload' }).post(
    '/api/images',
    async ({ request }) => {
      // The key is checked first, so a bad one costs no body read.
      const key = idempotencyKeyOf(request.headers);
      const upload = await readUpload(request, limits);
      const enqueue = (accepted: Accepted, extra: Command[]) =>
        enqueueUpload(uploads, jobs, upload, config.queueMaxLength, accepted, extra, gauge);
      const { accepted, replayed }: Outcome =
        key === undefined
          ? { accepted: await enqueue(newAcceptance(), []), replayed: false }
          : await idempotency.accept(key, fingerprintUpload(upload), enqueue);
      const base = `${publicBaseUrl(config, request.url)}/api/images/${accepted.id}`;
      const headers: Record<string, string> = { location: `${base}/status` };
      if (replayed) headers['idempotent-replayed'] = 'true';
      return json(
        202,
        { id: accepted.id, status: 'queued', received_at: accepted.received_at, status_url: `${base}/status`, image_url: base },
        headers,
      );
    },
    { parse: 'none', detail: uploadDocs(config) },
  );
}
