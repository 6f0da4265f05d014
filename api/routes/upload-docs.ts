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
      'Poll `status_url` (also in `Location`) until `done`, then fetch `image_url`.',
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
        description: 'accepted; `Location` points at the status',
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
      400: errorResponse('malformed multipart body (`malformed_multipart`)'),
      413: errorResponse('the image or the body is over the size limit (`payload_too_large`)'),
      415: errorResponse('not multipart/form-data (`unsupported_content_type`), or the file is not an image (`unsupported_media_type`)'),
      422: errorResponse('a field is missing or invalid: `missing_field`, `empty_file`, `too_many_files`, `not_a_file`, `blank`, `too_long`, `invalid_characters`, `invalid_utf8`'),
      503: errorResponse(
        'the queue is full (`queue_full`) or Redis is unavailable (`redis_unavailable`); `Retry-After` says when to try again. ' +
          '`outcome_unknown`: Redis went away mid-write, so the upload may have been queued; `id` names it — ' +
          'GET its status after Retry-After, and send it again only on 404',
      ),
    },
  };
}
