import type { OpenAPIV3 } from 'openapi-types';
import type { Config } from '../../shared/config.ts';
import { CALLBACK_URL_MAX_LENGTH } from '../../shared/messages.ts';
import { jobStatusSchema } from '../docs.ts';
import { batchSchema } from '../batches/routes-docs.ts';

/** The `callback_url` form field of the upload, shortcut and batch endpoints. */
export function callbackUrlProperty(config: Pick<Config, 'webhookSecret'>, what: 'job' | 'batch'): OpenAPIV3.SchemaObject {
  const events = what === 'job' ? '`image.done` or `image.failed` when the job ends' : '`batch.complete` once every job has ended (its jobs send none)';
  return {
    type: 'string',
    format: 'uri',
    maxLength: CALLBACK_URL_MAX_LENGTH,
    description:
      `optional: an http(s) URL kadr POSTs a signed webhook to, ${events}; see this operation's callbacks and the \`webhooks\` tag. ` +
      (config.webhookSecret ? '' : 'Webhooks are off on this server (no WEBHOOK_SECRET): sending it is 422 `webhooks_disabled`. ') +
      'A malformed URL (or one with a user name or password) is 422 `invalid_callback_url`; an address the SSRF guard refuses ' +
      '(not public, or a port other than 80/443, unless FETCH_ALLOW_NETWORKS / FETCH_ALLOW_PORTS open it) is 422 `callback_forbidden`.',
  };
}

const { version: _version, ...statusProperties } = jobStatusSchema.properties!;
const statusWithoutVersion: OpenAPIV3.SchemaObject = {
  ...jobStatusSchema,
  required: (jobStatusSchema.required ?? []).filter((f) => f !== 'version'),
  properties: statusProperties,
};

const event = (type: string, data: OpenAPIV3.SchemaObject, what: string): OpenAPIV3.SchemaObject => ({
  type: 'object',
  description: what,
  required: ['type', 'timestamp', 'data'],
  properties: {
    type: { type: 'string', enum: [type] },
    timestamp: { type: 'string', format: 'date-time', description: 'when it happened: the status\'s updated_at, or the batch\'s completed_at' },
    data,
  },
});

/**
 * The webhook events, as components (OpenAPI 3.0 has no `webhooks` section).
 * A function: batches-docs.ts imports this file too, and its batchSchema may
 * not be initialised yet while this one loads.
 */
export const webhookSchemas = (): Record<string, OpenAPIV3.SchemaObject> => ({
  ImageDoneEvent: event('image.done', statusWithoutVersion, 'the job was saved; `data` is GET /api/images/{id}/status then, without `version`'),
  ImageFailedEvent: event('image.failed', statusWithoutVersion, 'the job failed; `data` is GET /api/images/{id}/status then, without `version`'),
  BatchCompleteEvent: event('batch.complete', batchSchema, 'every job of the batch ended; `data` is GET /api/batches/{id} at completion'),
});

const signatureHeaders: OpenAPIV3.ParameterObject[] = [
  { name: 'webhook-id', in: 'header', required: true, schema: { type: 'string' }, description: '`msg_<uuid>`, the same on every retry of this event' },
  { name: 'webhook-timestamp', in: 'header', required: true, schema: { type: 'string' }, description: 'Unix seconds of this try' },
  {
    name: 'webhook-signature',
    in: 'header',
    required: true,
    schema: { type: 'string' },
    description: '`v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">` under the key of WEBHOOK_SECRET',
  },
];

/**
 * The `callbacks` of the upload, shortcut and batch operations: the signed
 * POST kadr sends to `callback_url`, its body the event schemas.
 */
export function webhookCallbacks(what: 'job' | 'batch'): Record<string, OpenAPIV3.CallbackObject> {
  const schema: OpenAPIV3.SchemaObject | OpenAPIV3.ReferenceObject =
    what === 'job'
      ? {
          oneOf: [{ $ref: '#/components/schemas/ImageDoneEvent' }, { $ref: '#/components/schemas/ImageFailedEvent' }],
          discriminator: { propertyName: 'type' },
        }
      : { $ref: '#/components/schemas/BatchCompleteEvent' };
  return {
    [what === 'job' ? 'jobEnded' : 'batchComplete']: {
      '{$request.body#/callback_url}': {
        post: {
          tags: ['webhooks'],
          summary: what === 'job' ? 'image.done or image.failed, when the job ends' : 'batch.complete, when every job has ended',
          description: 'Signed per Standard Webhooks (see the webhooks tag). Any 2xx within WEBHOOK_TIMEOUT_MS takes it; anything else is retried.',
          parameters: signatureHeaders,
          requestBody: { required: true, content: { 'application/json': { schema } } },
          responses: {
            '2XX': { description: 'received; kadr sends this event no more' },
            default: { description: 'not received: retried on WEBHOOK_RETRY_SCHEDULE, then dead-lettered' },
          },
        },
      },
    },
  };
}

export const webhookTag: OpenAPIV3.TagObject = {
  name: 'webhooks',
  description:
    'What kadr POSTs to a `callback_url` (the callbacks of the upload, shortcut and batch operations; bodies ImageDoneEvent, ImageFailedEvent, BatchCompleteEvent), signed per Standard Webhooks: headers `webhook-id` ' +
    '(`msg_<uuid>`, the same on every retry of one event: drop duplicates by it), `webhook-timestamp` (Unix seconds) and ' +
    '`webhook-signature` (`v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">` under the key of WEBHOOK_SECRET, `whsec_<base64>`). ' +
    'Verify it with the `standardwebhooks` library. A 2xx within WEBHOOK_TIMEOUT_MS is success; anything else is retried on ' +
    'WEBHOOK_RETRY_SCHEDULE (default 5s,5m,30m,2h,5h,10h,10h), then dead-lettered (retryable from the dashboard).',
};
