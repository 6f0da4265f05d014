import { WebhookDeliveryError, WebhookForbiddenError } from '../../shared/errors.ts';
import type { Logger } from '../../shared/logger.ts';
import type { Claim } from '../../shared/queue/claim.ts';
import { handOver } from '../../shared/queue/hand-over.ts';
import type { Entry } from '../../shared/queue/reply.ts';
import type { Delivery } from '../../shared/webhooks/events.ts';
import { retryDelayMs } from '../../shared/webhooks/schedule.ts';
import { signWebhook } from '../../shared/webhooks/signing.ts';
import type { WebhookPoster } from './poster.ts';
import type { RetrySet } from './retry-set.ts';

export interface DeliveryDeps {
  poster: WebhookPoster;
  /** WEBHOOK_SECRET's key. */
  secret: Buffer;
  timeoutMs: number;
  /** WEBHOOK_RETRY_SCHEDULE, in ms. */
  schedule: readonly number[];
  retries: RetrySet;
  log: Logger;
}

/**
 * Delivers one webhook: signs it afresh (a new `webhook-timestamp` each try,
 * the same `webhook-id`), POSTs it and finishes the entry. A 2xx within the
 * timeout acks it; anything else parks it in the retry set for the
 * schedule's next wait, in the same hand-over as the ack, so a try is never
 * both lost and finished; after the last wait it throws WebhookDeliveryError
 * (permanent), and the consumer dead-letters it, as it does at once an
 * address the SSRF guard refuses (WebhookForbiddenError). Nothing here touches the
 * job or batch the event is about.
 */
export function createDeliveryHandler(deps: DeliveryDeps) {
  return async (msg: Delivery, _entry: Entry, claim: Claim): Promise<void> => {
    const log = deps.log.child({ eventId: msg.event_id, type: msg.type, attempt: Number(msg.attempt) });
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'kadr-webhooks',
      'webhook-id': msg.event_id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signWebhook(deps.secret, msg.event_id, timestamp, msg.body),
    };
    let outcome: string;
    try {
      const status = await deps.poster.post(msg.url, headers, msg.body, deps.timeoutMs);
      if (status >= 200 && status < 300) {
        if (await handOver(claim, [], log)) log.info({ status }, 'webhook delivered');
        return;
      }
      outcome = `the receiver answered ${status}`;
    } catch (err) {
      // An address the SSRF guard refuses stays refused: dead-lettered at once.
      if (err instanceof WebhookForbiddenError) throw err;
      outcome = describe(err, deps.timeoutMs);
    }
    const attempt = Number(msg.attempt);
    if (attempt >= deps.schedule.length) {
      throw new WebhookDeliveryError(`gave up after ${attempt + 1} deliveries to ${msg.url}; the last: ${outcome}`);
    }
    const waitMs = retryDelayMs(deps.schedule, attempt);
    const due = (await deps.retries.now()) + waitMs;
    const next: Delivery = { ...msg, attempt: String(attempt + 1) };
    if (await handOver(claim, deps.retries.scheduleCommands(next, due), log)) log.warn({ outcome, waitMs }, 'webhook not delivered; retrying later');
  };
}

/** Why no answer came, told apart by the error's name or code, never its text. */
function describe(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; code?: string; message?: string };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  return `no answer: ${e?.code ?? e?.name ?? 'error'}${e?.message ? ` (${e.message})` : ''}`;
}
