import { createHash } from 'node:crypto';
import type { SerializedError } from '../errors.ts';
import { isUuid } from '../ids.ts';
import { CALLBACK_URL_MAX_LENGTH } from '../messages.ts';
import type { Entry } from '../queue/reply.ts';
import type { Command } from '../queue/stream.ts';
import type { Delivery } from './delivery-message.ts';

export const WEBHOOK_TYPES = ['image.done', 'image.failed', 'batch.complete'] as const;
export type WebhookType = (typeof WEBHOOK_TYPES)[number];

/** The JSON body of every webhook, as the Standard Webhooks spec shapes it. */
export interface WebhookEvent<D = Record<string, unknown>> {
  type: WebhookType;
  /** When the event happened (the status change), ISO 8601. */
  timestamp: string;
  /** The same fields as GET /api/images/{id}/status, or GET /api/batches/{id} for batch.complete. */
  data: D;
}

/**
 * The `webhook-id` of an event: `msg_` and a UUID derived from what happened
 * (its type, the job or batch, and `occurrence`: the stream entry that ended
 * the job, or the batch's completion instant). Derived, not random, so the
 * same end queued again (a redelivery, a saver re-queueing a batch's event)
 * carries the same id and a receiver drops the duplicate; a job retried from
 * the dead letters ends in a new entry, so its new end gets a new id.
 */
export function webhookEventId(type: WebhookType, subject: string, occurrence: string): string {
  const h = createHash('sha256').update(`${type}\0${subject}\0${occurrence}`).digest('hex');
  // Laid out as a UUID version 8 (custom), variant 10.
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `msg_${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Webhook events for the callers' MULTIs: each is one XADD to the webhooks
 * stream, so an event is queued exactly when the status change it announces
 * is written. The body is fixed here, once; retries resend it unchanged.
 */
export class WebhookEvents {
  constructor(
    private readonly streamKey: string,
    /** What goes before /api/… in the payload's URLs (publicBaseUrl). */
    private readonly baseUrl: string,
  ) {}

  /** A job saved: the status endpoint's `done` answer. */
  imageDone(url: string | undefined, job: { id: string; received_at: string }, updatedAt: string, entryId: string): Command[] {
    if (!url) return [];
    const data = {
      id: job.id,
      status: 'done',
      received_at: job.received_at,
      updated_at: updatedAt,
      image_url: `${this.baseUrl}/api/images/${job.id}`,
    };
    return this.commands(url, 'image.done', job.id, entryId, updatedAt, data);
  }

  /** A job dead-lettered: the status endpoint's `failed` answer (`received_at` when the entry knows it). */
  imageFailed(
    url: string | undefined,
    job: { id: string; received_at: string | undefined },
    error: SerializedError,
    updatedAt: string,
    entryId: string,
  ): Command[] {
    if (!url) return [];
    const data = {
      id: job.id,
      status: 'failed',
      ...(job.received_at && { received_at: job.received_at }),
      updated_at: updatedAt,
      error: { code: error.code, message: error.message },
    };
    return this.commands(url, 'image.failed', job.id, entryId, updatedAt, data);
  }

  /** A batch completed: `body` is GET /api/batches/{id}'s answer at completion. */
  batchComplete(url: string, batchId: string, completedAt: string, body: Record<string, unknown>): Command[] {
    return this.commands(url, 'batch.complete', batchId, completedAt, completedAt, body);
  }

  private commands(url: string, type: WebhookType, subject: string, occurrence: string, timestamp: string, data: unknown): Command[] {
    const body = JSON.stringify({ type, timestamp, data });
    const id = webhookEventId(type, subject, occurrence);
    return [['XADD', this.streamKey, '*', ...deliveryFields({ event_id: id, type, url, body, attempt: '0' })]];
  }
}

/** One delivery as it waits on the webhooks stream or in the retry set. */
/** An entry of the webhooks stream, as its schema says: `body` is the event JSON exactly as sent and signed, `attempt` the failed deliveries so far. */
export type { Delivery };

export function deliveryFields(d: Delivery): string[] {
  return ['event_id', d.event_id, 'type', d.type, 'url', d.url, 'body', d.body, 'attempt', d.attempt];
}

/**
 * The `image.failed` event of a dead-lettered entry, if it names a job and a
 * callback. The entry may be one that failed to decode, so its fields are
 * checked here rather than trusted.
 */
export function failedJobWebhook(
  events: WebhookEvents,
  jobId: string | undefined,
  error: SerializedError,
  at: string,
  entry: Entry,
): Command[] {
  const url = entry.fields?.callback_url?.toString('utf8');
  if (!isUuid(jobId) || !url || !/^https?:\/\//.test(url) || url.length > CALLBACK_URL_MAX_LENGTH) return [];
  const received_at = entry.fields?.received_at?.toString('utf8');
  return events.imageFailed(url, { id: jobId, received_at }, error, at, entry.id);
}
