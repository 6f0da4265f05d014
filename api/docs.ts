import type { OpenAPIV3 } from 'openapi-types';

/** OpenAPI fragments shared by the routes, so every error response is documented the same way. */
const errorBody: OpenAPIV3.SchemaObject = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: 'stable machine-readable code, e.g. missing_field, too_long, not_found' },
        message: { type: 'string', description: 'what was expected, where, and what arrived' },
        field: { type: 'string', description: 'the request field at fault (validation errors)' },
        status: { type: 'string', description: 'the job status (not_ready, job_failed); "running" for a batch' },
        counts: {
          type: 'object',
          description: 'a running batch\'s jobs by status (not_ready on a batch archive)',
          properties: { queued: { type: 'integer' }, processing: { type: 'integer' }, done: { type: 'integer' }, failed: { type: 'integer' } },
        },
        id: { type: 'string', format: 'uuid', description: 'the upload whose queueing is in doubt (outcome_unknown): check its status before sending it again' },
      },
    },
  },
};

export function errorResponse(description: string): OpenAPIV3.ResponseObject {
  return { description, content: { 'application/json': { schema: errorBody } } };
}

export const unavailable = errorResponse(
  'Redis or PostgreSQL is unavailable, or (on upload) the queue is full; `Retry-After` says when to try again',
);

export const jobStatusSchema: OpenAPIV3.SchemaObject = {
  type: 'object',
  required: ['id', 'status', 'version', 'received_at', 'updated_at'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    status: { type: 'string', enum: ['queued', 'fetching', 'processing', 'saving', 'done', 'failed'] },
    version: {
      type: 'integer',
      description: 'goes up by one at every status change of this job: order changes by it, not by updated_at (written by several hosts\' clocks)',
    },
    received_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' } },
      description: 'why the job failed (status "failed" only)',
    },
    step: { type: 'string', description: 'the pipeline step running, as "3/5 resize" (status "processing"), or the one that failed (status "failed")' },
    image_url: { type: 'string', description: 'where the result is (status "done" only)' },
  },
};

/**
 * The data of a `status` event on the job streams: what changed, without the
 * status endpoint's received_at, step or image_url.
 */
export const jobEventSchema: OpenAPIV3.SchemaObject = {
  type: 'object',
  required: ['id', 'status', 'version', 'updated_at'],
  properties: {
    id: jobStatusSchema.properties!.id!,
    status: jobStatusSchema.properties!.status!,
    version: jobStatusSchema.properties!.version!,
    updated_at: jobStatusSchema.properties!.updated_at!,
    error: jobStatusSchema.properties!.error!,
  },
};

export const listedImageSchema: OpenAPIV3.SchemaObject = {
  type: 'object',
  required: ['id', 'received_at', 'description'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    received_at: { type: 'string', format: 'date-time' },
    description: { type: 'string' },
    width: { type: 'integer' },
    height: { type: 'integer' },
    bytes: { type: 'integer' },
    content_type: { type: 'string', description: 'image/jpeg, image/png, image/webp or image/avif' },
    url: { type: 'string' },
    thumbnail_url: {
      type: 'string',
      nullable: true,
      description: 'the thumbnail (a JPEG of at most 320 px on its longer side; WebP for images saved before 2026-12-01): `/api/images/{id}/thumbnail`; null for an image saved before thumbnails existed',
    },
  },
};

export const idParameter: OpenAPIV3.ParameterObject = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'the job id returned by POST /api/images (a UUIDv7)',
  schema: { type: 'string', format: 'uuid' },
};

/** The optional `Idempotency-Key` header of the POST endpoints; `description` says what a repeat does there. */
export function idempotencyKeyParameter(description: string): OpenAPIV3.ParameterObject {
  return {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description,
    schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x20-\\x7E]+$' },
  };
}

/** A POST's 202: `Location` at the status, `Idempotent-Replayed` on a replay, and a body with `properties` (all present) after id, status and received_at. */
export function acceptedResponse(properties: Record<string, OpenAPIV3.SchemaObject>): OpenAPIV3.ResponseObject {
  return {
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
          required: ['id', 'status', 'received_at', ...Object.keys(properties)],
          properties: {
            id: { type: 'string', format: 'uuid' },
            status: { type: 'string', enum: ['queued'] },
            received_at: { type: 'string', format: 'date-time' },
            ...properties,
          },
        },
      },
    },
  };
}
