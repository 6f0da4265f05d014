import { callbackUrlProperty, webhookCallbacks } from '../uploads/webhook-docs.ts';
import type { OpenAPIV3 } from 'openapi-types';
import type { Config } from '../../shared/config.ts';
import { acceptedResponse, errorResponse, idempotencyKeyParameter, unavailable } from '../docs.ts';
import { operationsProperty } from '../uploads/operations-docs.ts';
import { MAX_STEP_FILE_BYTES, MAX_STEP_FILES } from '../uploads/operations-field.ts';

const batchIdParameter: OpenAPIV3.ParameterObject = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'the batch id returned by POST /api/batches (a UUIDv7)',
  schema: { type: 'string', format: 'uuid' },
};

const countsSchema: OpenAPIV3.SchemaObject = {
  type: 'object',
  required: ['queued', 'processing', 'done', 'failed'],
  properties: { queued: { type: 'integer' }, processing: { type: 'integer' }, done: { type: 'integer' }, failed: { type: 'integer' } },
};

export const batchSchema: OpenAPIV3.SchemaObject = {
  type: 'object',
  required: ['id', 'status', 'image_count', 'created_at', 'counts', 'jobs'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    status: { type: 'string', enum: ['running', 'complete'], description: 'complete once every job is done or failed' },
    image_count: { type: 'integer' },
    created_at: { type: 'string', format: 'date-time' },
    completed_at: { type: 'string', format: 'date-time', description: 'when the last job ended (complete only)' },
    expires_at: { type: 'string', format: 'date-time', description: 'when the archive and images will be deleted (complete only)' },
    counts: countsSchema,
    jobs: {
      type: 'array',
      description: 'one per image, in upload order',
      items: {
        type: 'object',
        required: ['index', 'id', 'status'],
        properties: {
          index: { type: 'integer', description: 'position in the upload, from 0' },
          id: { type: 'string', format: 'uuid', description: 'the job id; GET /api/images/{id} serves its image once done' },
          status: { type: 'string', enum: ['queued', 'processing', 'done', 'failed'], description: 'a job fetching its image by URL counts as processing' },
          error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } }, description: 'why it failed' },
        },
      },
    },
    archive_url: { type: 'string', description: 'where the ZIP is (complete only)' },
  },
};

const gone = errorResponse('the batch has expired; its archive and images have been deleted (`gone`)');

export function createBatchDocs(config: Config): OpenAPIV3.OperationObject {
  return {
    callbacks: webhookCallbacks('batch'),
    tags: ['batches'],
    summary: 'Upload many photos processed the same way, or each its own way, to download as one ZIP',
    description:
      `Up to ${config.batchMaxImages} \`image\` parts of at most ${config.maxUploadBytes} bytes each and ${config.batchMaxBytes} in all. ` +
      '`description` (required) and `operations` (optional) are sent once for every image, or once per image in the order of the ' +
      'images; any other count is 422 `count_mismatch`. Every part is checked before anything is queued: a bad part refuses the ' +
      'whole batch and names it from 0 (`image[3]: ...`, `description[3]: ...`, `operations[3][0].width: ...`). Each image becomes a ' +
      'job of its own, spread over every processor. Poll `status_url` until `complete`, then download `archive_url`. ' +
      `The batch and its images are deleted ${config.batchTtlSeconds} seconds after it completes. ` +
      'An `Idempotency-Key` makes a retry safe, as on POST /api/images.',
    parameters: [
      idempotencyKeyParameter(
        `1 to 255 printable ASCII characters; a repeat of the same batch answers the first 202 again (remembered ${config.idempotencyTtlSeconds} s)`,
      ),
    ],
    requestBody: {
      required: true,
      content: {
        'multipart/form-data': {
          schema: {
            type: 'object',
            required: ['description'],
            properties: {
              image: {
                type: 'array',
                items: { type: 'string', format: 'binary' },
                maxItems: config.batchMaxImages,
                description: 'the photos, one file part each, all named `image`',
              },
              url: {
                type: 'array',
                items: { type: 'string', format: 'uri' },
                maxItems: config.batchMaxImages,
                description:
                  'photos given by address instead, one field each, as on POST /api/images. Files and urls mix: the batch\'s images are the ' +
                  '`image` and `url` parts in the order they appear in the body (at least one), and per-image descriptions, pipelines and job ids follow that order',
              },
              description: {
                type: 'array',
                items: { type: 'string', minLength: 1, maxLength: config.maxDescriptionLength },
                description: 'one for all images, or one per image in order',
              },
              operations: { ...operationsProperty(), description: 'optional: one pipeline for all images, or one per image in order' },
              callback_url: callbackUrlProperty(config, 'batch'),
            },
          },
          encoding: { operations: { contentType: 'application/json' } },
        },
      },
    },
    responses: {
      202: acceptedResponse({ image_count: { type: 'integer' }, status_url: { type: 'string' }, archive_url: { type: 'string' } }),
      400: errorResponse('malformed multipart body or Idempotency-Key'),
      409: errorResponse('the first request with this Idempotency-Key is still being accepted (`idempotency_key_in_use`)'),
      413: errorResponse(
        `an image over ${config.maxUploadBytes} bytes, the images over ${config.batchMaxBytes} in all, or the body over that plus ` +
          `${MAX_STEP_FILES} watermark images of ${MAX_STEP_FILE_BYTES} and the form (\`payload_too_large\`)`,
      ),
      415: errorResponse('not multipart/form-data, or a part is not an image (`unsupported_media_type`, naming `image[i]`)'),
      422: errorResponse(
        `more than ${config.batchMaxImages} images (\`too_many_images\`); \`description\` or \`operations\` neither once nor once per image ` +
          '(`count_mismatch`); or any error of POST /api/images, naming the part (`image[3]`, `url[3]`, `description[3]`), ' +
          'counted over images and urls together; one refused url (`source_forbidden`) refuses the whole batch',
      ),
      503: errorResponse('the queue has no room for the whole batch (`queue_full`), or Redis/PostgreSQL/the object store is unavailable; nothing was queued'),
    },
  };
}

export const batchStatusDocs: OpenAPIV3.OperationObject = {
  tags: ['batches'],
  summary: 'Status of a batch: counts and each job\'s status',
  description: 'The same snapshot GET /api/batches/{id}/events pushes as it changes.',
  parameters: [batchIdParameter],
  responses: {
    200: { description: 'the batch', content: { 'application/json': { schema: batchSchema } } },
    404: errorResponse('unknown or malformed id'),
    410: gone,
    503: unavailable,
  },
};

export const batchEventsDocs: OpenAPIV3.OperationObject = {
  tags: ['batches'],
  summary: 'Live status of a batch (Server-Sent Events)',
  description:
    'A `batch` event at once with the same JSON as GET /api/batches/{id}, then a fresh one whenever a job of the batch ' +
    'changes status (at most one every 250 ms; the last state is always sent). The stream ends after the `complete` ' +
    'snapshot, which carries `archive_url` and `expires_at`. A comment every 15 s keeps it open. What the web page\'s ' +
    'batch mode uses.',
  parameters: [batchIdParameter],
  responses: {
    200: {
      description: 'text/event-stream of `batch` events whose data is the batch, as GET /api/batches/{id} answers it',
      content: { 'text/event-stream': { schema: batchSchema } },
    },
    404: errorResponse('unknown or malformed id'),
    410: gone,
    503: unavailable,
  },
};

export const batchArchiveDocs: OpenAPIV3.OperationObject = {
  tags: ['batches'],
  summary: 'The processed images of a complete batch as a ZIP, streamed',
  description:
    'Entries `001-<job id>.<ext>` in upload order (JPEG unless a `format` step said otherwise), stored uncompressed, plus ' +
    '`failed.txt` when any job failed: a header line, then one tab-separated line per failure: position, job id, code, reason.',
  parameters: [batchIdParameter],
  responses: {
    200: {
      description: 'the archive, streamed (no Content-Length)',
      headers: { 'Content-Disposition': { description: 'attachment; filename="batch-<id>.zip"', schema: { type: 'string' } } },
      content: { 'application/zip': { schema: { type: 'string', format: 'binary' } } },
    },
    302: {
      description:
        'only with `STORAGE_REDIRECT=presigned` (S3 store): the archive is built into the store on the first request (streamed, ' +
        'never held whole) and `Location` is its presigned URL, valid for PRESIGN_TTL_SECONDS or until the batch expires if ' +
        'that is sooner. The store answers with the same Content-Disposition, and with Content-Length and Range support.',
      headers: { Location: { description: 'the presigned URL; needs no credentials', schema: { type: 'string' } } },
    },
    404: errorResponse('unknown or malformed id'),
    409: errorResponse('the batch is still running (`not_ready`, with `counts` and Retry-After)'),
    410: gone,
    503: unavailable,
  },
};
