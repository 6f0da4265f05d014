import { Elysia } from 'elysia';
import type { Config } from '../../shared/config.ts';
import { publicBaseUrl } from '../../shared/config.ts';
import type { Sql } from '../../shared/db.ts';
import { BatchNotReadyError } from '../../shared/errors.ts';
import type { JobStore } from '../../shared/jobs.ts';
import type { Command, StreamQueue } from '../../shared/queue/stream.ts';
import type { ObjectStore } from '../../shared/storage/store.ts';
import type { RedisMemoryGauge } from '../../shared/redis-memory.ts';
import type { QueuedBytes } from '../uploads/queued-bytes.ts';
import type { ClaimCheck } from '../../shared/storage/claim-check.ts';
import { calling } from '../../shared/unavailable.ts';
import type { SsrfGuard } from '../../shared/net/ssrf-guard.ts';
import { refuseForbiddenSources } from '../uploads/source-url.ts';
import { archiveName, failedText, streamArchive, type ArchiveFile } from './archive.ts';
import { batchImages } from './batches-table.ts';
import { enqueueBatch } from './enqueue-batch.ts';
import { readBatch } from './read-batch.ts';
import { storedArchive } from './stored-archive.ts';
import { batchSnapshot, snapshotBody, type SnapshotDeps } from '../../shared/batches/snapshot.ts';
import { requireUuid } from '../../shared/ids.ts';
import { refuseForbiddenCallback } from '../uploads/callback-url.ts';
import { newAcceptance, type Accepted } from '../uploads/enqueue.ts';
import { json, SECURITY_HEADERS } from '../http-errors.ts';
import type { IdempotencyStore, Outcome } from '../uploads/idempotency.ts';
import { fingerprintBatch, idempotencyKeyOf } from '../uploads/idempotency-key.ts';
import { archiveLinkSeconds, redirectTo } from '../images/presigned.ts';
import { batchArchiveDocs, batchStatusDocs, createBatchDocs } from './routes-docs.ts';
import { uploadLimits } from '../uploads/upload.ts';

export interface BatchRouteDeps {
  config: Config;
  sql: Sql;
  store: ObjectStore;
  uploads: StreamQueue;
  jobs: JobStore;
  /** What batchSnapshot reads from; the event stream reads the same. */
  snapshotDeps: SnapshotDeps;
  idempotency: IdempotencyStore;
  memory?: RedisMemoryGauge;
  queued?: QueuedBytes;
  claims: ClaimCheck;
  /** Refuses image URLs that point where kadr must not connect (422 source_forbidden). */
  guard: SsrfGuard;
}

/** `POST /api/batches`, its status and its archive. */
export function batchRoutes({ config, sql, store, uploads, jobs, snapshotDeps, idempotency, memory, claims, queued, guard }: BatchRouteDeps) {
  const limits = {
    ...uploadLimits(config),
    maxImages: config.batchMaxImages,
    maxBytes: config.batchMaxBytes,
  };
  return new Elysia({ name: 'batches' })
    .post(
      '/api/batches',
      async ({ request }) => {
        const key = idempotencyKeyOf(request.headers);
        const images = await readBatch(request, limits);
        await refuseForbiddenSources(guard, images.flatMap((image) => (image.source ? [image.source] : [])));
        await refuseForbiddenCallback(guard, images[0]?.callbackUrl);
        const enqueue = (accepted: Accepted, extra: Command[]) =>
          enqueueBatch({ uploads, jobs, sql, memory, claims, queued }, images, config.queueMaxLength, accepted, extra);
        let outcome: Outcome;
        if (key === undefined) {
          const accepted = newAcceptance();
          await enqueue(accepted, []);
          outcome = { accepted, replayed: false };
        } else {
          outcome = await idempotency.accept(key, fingerprintBatch(images), enqueue);
        }
        const { id, received_at } = outcome.accepted;
        const base = `${publicBaseUrl(config)}/api/batches/${id}`;
        const headers: Record<string, string> = { location: base };
        if (outcome.replayed) headers['idempotent-replayed'] = 'true';
        return json(
          202,
          { id, status: 'queued', image_count: images.length, received_at, status_url: base, archive_url: `${base}/archive` },
          headers,
        );
      },
      { parse: 'none', detail: createBatchDocs(config) },
    )
    .get(
      '/api/batches/:id',
      async ({ params }) => {
        const snapshot = await batchSnapshot(snapshotDeps, requireUuid('batch', params.id));
        return json(200, snapshotBody(snapshot, publicBaseUrl(config)));
      },
      { detail: batchStatusDocs },
    )
    .get(
      '/api/batches/:id/archive',
      async ({ params }) => {
        const snapshot = await batchSnapshot(snapshotDeps, requireUuid('batch', params.id));
        if (snapshot.status !== 'complete') {
          const { done, failed } = snapshot.counts;
          throw new BatchNotReadyError(
            `the batch is still running: ${done + failed} of ${snapshot.image_count} images finished`,
            snapshot.counts,
          );
        }
        const stored = await calling('postgres', batchImages(sql, snapshot.id));
        const files: ArchiveFile[] = [];
        for (const job of snapshot.jobs) {
          const image = job.status === 'done' ? stored.get(job.id) : undefined;
          if (image) files.push({ name: archiveName(job.index, snapshot.image_count, job.id, image.path), path: image.path });
        }
        const failed = failedText(snapshot.jobs, snapshot.image_count);
        const completed = snapshot.completed_at!;
        const disposition = `attachment; filename="batch-${snapshot.id}.zip"`;
        const build = () => streamArchive(store, files, failed, new Date(completed));
        if (config.storageRedirect === 'presigned') {
          const { key, seconds } = await storedArchive(store, snapshot.id, build, disposition, () =>
            archiveLinkSeconds(sql, snapshot.id, completed, config.presignTtlSeconds, config.batchTtlSeconds),
          );
          return redirectTo(store.presign(key, { expiresInSeconds: seconds, contentDisposition: disposition }));
        }
        return new Response(build(), {
          headers: { ...SECURITY_HEADERS, 'content-type': 'application/zip', 'content-disposition': disposition },
        });
      },
      { detail: batchArchiveDocs },
    );
}
