import { Elysia } from 'elysia';
import type { Config } from '../../shared/config.ts';
import { publicBaseUrl } from '../../shared/config.ts';
import type { JobStore } from '../../shared/jobs.ts';
import type { Command, StreamQueue } from '../../shared/queue/stream.ts';
import type { ClaimCheck } from '../../shared/storage/claim-check.ts';
import { enqueueUpload, newAcceptance, type Accepted } from './enqueue.ts';
import type { RedisMemoryGauge } from '../../shared/redis-memory.ts';
import type { SsrfGuard } from '../../shared/net/ssrf-guard.ts';
import { refuseForbiddenSources } from './source-url.ts';
import { QueueGauge } from './queue-gauge.ts';
import type { QueuedBytes } from './queued-bytes.ts';
import { json } from '../http-errors.ts';
import type { IdempotencyStore, Outcome } from './idempotency.ts';
import { fingerprintUpload, idempotencyKeyOf } from './idempotency-key.ts';
import { refuseForbiddenCallback } from './callback-url.ts';
import { SHORTCUTS, type Shortcut } from './shortcuts.ts';
import { readUpload, uploadLimits } from './upload.ts';
import { shortcutDocs, uploadDocs } from './routes-docs.ts';

export interface UploadRouteDeps {
  config: Config;
  uploads: StreamQueue;
  jobs: JobStore;
  idempotency: IdempotencyStore;
  /** Redis' memory against its maxmemory (REDIS_ADMIT_MEMORY_PERCENT). */
  memory?: RedisMemoryGauge;
  /** Refuses an image URL that points where kadr must not connect (422 source_forbidden). */
  guard: SsrfGuard;
  /** Large images go to the object store before the enqueue (S3 only). */
  claims?: ClaimCheck;
  /** The streams' bytes against REDIS_MAX_QUEUED_BYTES. */
  queued?: QueuedBytes;
}

/**
 * `POST /api/images` and the single-operation shortcuts (`POST /api/crop`,
 * ...): each checks the upload, enqueues it once per Idempotency-Key and
 * answers 202; they differ only in how the form names the steps.
 */
export function uploadRoute(deps: UploadRouteDeps) {
  // Elysia registers a route on the instance itself; the loop keeps one instance.
  const app = new Elysia({ name: 'upload' });
  // One gauge for every upload route, so each enqueue keeps it fresh for all.
  const gauge = new QueueGauge(deps.uploads, undefined, undefined, deps.memory);
  app.post('/api/images', acceptUpload(deps, gauge), { parse: 'none', detail: uploadDocs(deps.config) });
  for (const shortcut of SHORTCUTS) {
    app.post(shortcut.path, acceptUpload(deps, gauge, shortcut), { parse: 'none', detail: shortcutDocs(deps.config, shortcut) });
  }
  return app;
}

function acceptUpload({ config, uploads, jobs, idempotency, guard, claims, queued }: UploadRouteDeps, gauge: QueueGauge, shortcut?: Shortcut) {
  const limits = uploadLimits(config);
  return async ({ request }: { request: Request }) => {
    // The key is checked first, so a bad one costs no body read.
    const key = idempotencyKeyOf(request.headers);
    const upload = await readUpload(request, limits, shortcut);
    if (upload.source) await refuseForbiddenSources(guard, [upload.source]);
    await refuseForbiddenCallback(guard, upload.callbackUrl);
    const enqueue = (accepted: Accepted, extra: Command[]) =>
      enqueueUpload(uploads, jobs, upload, config.queueMaxLength, accepted, extra, gauge, claims, queued);
    const { accepted, replayed }: Outcome =
      key === undefined
        ? { accepted: await enqueue(newAcceptance(), []), replayed: false }
        : await idempotency.accept(key, fingerprintUpload(upload), enqueue);
    const base = `${publicBaseUrl(config)}/api/images/${accepted.id}`;
    const headers: Record<string, string> = { location: `${base}/status` };
    if (replayed) headers['idempotent-replayed'] = 'true';
    return json(
      202,
      { id: accepted.id, status: 'queued', received_at: accepted.received_at, status_url: `${base}/status`, image_url: base },
      headers,
    );
  };
}
