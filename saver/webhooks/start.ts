import type { Config } from '../../shared/config.ts';
import type { Logger } from '../../shared/logger.ts';
import { GROUPS, type Keys } from '../../shared/queue/keys.ts';
import { StreamConsumer } from '../../shared/queue/consumer.ts';
import { forgetIdleConsumersMs } from '../../shared/queue/worker.ts';
import { StreamQueue } from '../../shared/queue/stream.ts';
import type { Redis } from '../../shared/redis.ts';
import { deliveryCodec } from '../../shared/webhooks/delivery-message.ts';
import type { Delivery } from '../../shared/webhooks/events.ts';
import { createDeliveryHandler } from './deliver.ts';
import type { WebhookPoster } from './poster.ts';
import { RetrySet } from './retry-set.ts';

export interface WebhookDelivery {
  /** Runs until stop(). */
  start(): Promise<void>;
  /** Stops the retry mover and drains the delivery in hand; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * The webhook deliverer: a consumer of the webhooks stream in group
 * `webhooks` (any number of savers share the work), and a mover that puts
 * due retries back on the stream, polling the retry set a few times per
 * shortest wait and at least once a second. Its dead letters fail nothing:
 * the job or batch the event announces has already ended.
 */
export function createWebhookDelivery(
  config: Config,
  secret: Buffer,
  deps: { redis: Redis; reader: Redis; k: Keys; poster: WebhookPoster; log: Logger },
): WebhookDelivery {
  const { redis, k, log } = deps;
  const queue = new StreamQueue(redis, k.webhooks, GROUPS.webhooks);
  const retries = new RetrySet(redis, k.webhookRetries, k.webhooks);
  const consumer = new StreamConsumer<Delivery>({
    queue,
    reader: deps.reader,
    consumer: config.consumerName,
    log: log.child({ consumer: config.consumerName }),
    decode: deliveryCodec.decode,
    handle: createDeliveryHandler({
      poster: deps.poster,
      secret,
      timeoutMs: config.webhookTimeoutMs,
      schedule: config.webhookRetrySchedule,
      retries,
      log,
    }),
    onDeadLetter: () => [],
    deadKey: k.dead,
    maxDeliveries: config.maxDeliveries,
    reclaimIdleMs: config.reclaimIdleMs,
    forgetIdleMs: forgetIdleConsumersMs(config.reclaimIdleMs),
    count: 8,
  });
  const pollMs = Math.max(50, Math.min(1000, Math.floor(Math.min(...config.webhookRetrySchedule) / 4)));
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let round: Promise<void> = Promise.resolve();
  const move = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      round = retries
        .moveDue()
        .then((n) => void (n && log.debug({ moved: n }, 'due webhook retries back on the stream')))
        .catch((err) => log.warn({ err }, 'could not move due webhook retries; trying again'))
        .finally(move);
    }, pollMs);
  };
  return {
    start() {
      move();
      return consumer.start();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await Promise.all([round, consumer.stop()]);
    },
  };
}
