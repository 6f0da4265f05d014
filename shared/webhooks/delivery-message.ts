import { Type, type Static } from '@sinclair/typebox';
import { CallbackUrl, codec } from '../messages.ts';
import { WEBHOOK_TYPES } from './events.ts';

/**
 * An entry of the webhooks stream. Its fields avoid `id` and `batch_id`: the
 * consumer and the dead letters read those as a job's, and a webhook's
 * failure must never touch its job.
 */
export const DeliveryMessage = Type.Object({
  event_id: Type.String({ pattern: '^msg_[0-9a-f-]{36}$' }),
  type: Type.Union(WEBHOOK_TYPES.map((t) => Type.Literal(t))),
  url: CallbackUrl,
  body: Type.String({ minLength: 2, maxLength: 4_000_000 }),
  attempt: Type.String({ pattern: '^\\d{1,3}$' }),
});

export type Delivery = Static<typeof DeliveryMessage>;

export const deliveryCodec = codec('webhook delivery', DeliveryMessage);
