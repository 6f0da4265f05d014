import type { OpenAPIV3 } from 'openapi-types';
import type { Config } from '../../shared/config.ts';
import { errorResponse } from '../docs.ts';

/** The upload endpoint parses its own body, so its request schema is written out here. */
export function uploadDocs(config: Config): OpenAPIV3.OperationObject {
  return {
    tags: ['images'],
    summary: 'Upload a photo to be captioned',
    description:
      'Answers at once with a job id; the captioning happens in the background. ' +
      'Poll `status_url` (also in `Location`) until `done`, then fetch `image_url`. ' +
      'Send an `Idempotency-Key` to make retries safe: a repeat with the same key and the same image and ' +
      `description, within ${config.idempotencyTtlSeconds} seconds of the first, answers the first id again ` +
      'with `Idempotent-Replayed: true` and creates no second job. Only an accepted (202) upload uses a key up.',
    parameters: [
      {
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description:
          'a client-chosen key, unique per upload (a UUID is a good choice): 1 to 255 printable ASCII characters. ' +
          `Remembered for ${config.idempotencyTtlSeconds} seconds.`,
        schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x20-\\x7E]+$' },
      },
    ],
    requestBody: {
      required: true,
      content: {
        'multipart/form-data': {
          schema: {
            type: 'object',
            required: ['image', 'description'],
            properties: {
              image: {
                type: 'string',
                format: 'binary',
                description: `the photo: JPEG (also PNG, WebP, GIF, TIFF, AVIF), 1 to ${config.maxUploadBytes} bytes`,
              },
              description: {
                type: 'string',
                minLength: 1,
                maxLength: config.maxDescriptionLength,
                description: `UTF-8 text, 1 to ${config.maxDescriptionLength} characters (Unicode code points); no control characters`,
              },
            },
          },
        },
      },
    },
    responses: {
      202: {
        description: 'accepted (or, with a repeated Idempotency-Key, the first acceptance replayed); `Location` points at the status',
        headers: {
          Location: { description: 'the status URL', schema: { type: 'string' } },
          'Idempotent-Replayed': {
            description: '`true` when this answer replays the first request with the same Idempotency-Key; absent otherwise',
            schema: { type: 'string', enum: ['true'] },
          },
        },
        content: {
          'application/json': {
            schema: {
              type: 'object',
              properties: {
                id: { type: 'string', format: 'uuid' },
                status: { type: 'string', enum: ['queued'] },
                received_at: { type: 'string', format: 'date-time' },
                status_url: { type: 'string' },
                image_url: { type: 'string' },
              },
            },
          },
        },
      },
      400: errorResponse('malformed multipart body (`malformed_multipart`), or an Idempotency-Key that is empty, over 255 characters or not printable ASCII (`invalid_idempotency_key`)'),
      409: errorResponse('the first request with this Idempotency-Key is still being accepted (`idempotency_key_in_use`); retry after `Retry-After` seconds'),
      413: errorResponse(`the image is over ${config.maxUploadBytes} bytes, or the body over that plus the form around it (\`payload_too_large\`); refused by Content-Length or while streaming, never buffered whole`),
      415: errorResponse('not multipart/form-data (`unsupported_content_type`), or the file is not an image (`unsupported_media_type`)'),
      422: errorResponse(
        'a field is missing or invalid: `missing_field`, `empty_file`, `too_many_files`, `not_a_file`, `too_many_values`, `not_text`, ' +
          '`blank`, `too_long`, `invalid_characters`, `invalid_utf8`; ' +
          `the image header declares more than ${config.maxInputPixels} pixels (\`image_too_large\`, refused before decoding); ` +
          'or the Idempotency-Key was already used for a different image or description (`idempotency_key_reused`)',
      ),
      503: errorResponse(
        'the queue is full (`queue_full`) or Redis is unavailable (`redis_unavailable`); `Retry-After` says when to try again. ' +
          '`outcome_unknown`: Redis went away mid-write, so the upload may have been queued; `id` names it — ' +
          'GET its status after Retry-After, and send it again only on 404',
      ),
    },
  };
}
