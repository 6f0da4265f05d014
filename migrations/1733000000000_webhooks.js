/**
 * Webhooks: a batch's `callback_url` (POST /api/batches), and when its
 * `batch.complete` event was queued. Completion is written in PostgreSQL and
 * the event queued in Redis, which share no transaction: a completed batch
 * with a callback and no `webhook_queued_at` still owes its event, and the
 * saver's maintenance queues it (an outbox).
 */
export const up = (pgm) => {
  pgm.addColumns('batches', {
    callback_url: { type: 'text' },
    webhook_queued_at: { type: 'timestamptz' },
  });
  // The outbox scan: completed batches whose event is still owed.
  pgm.createIndex('batches', 'completed_at', {
    name: 'batches_webhook_owed',
    where: 'callback_url is not null and webhook_queued_at is null and completed_at is not null',
  });
};

export const down = (pgm) => {
  pgm.dropIndex('batches', 'completed_at', { name: 'batches_webhook_owed' });
  pgm.dropColumns('batches', ['callback_url', 'webhook_queued_at']);
};
