import createClient, { type Client } from 'openapi-fetch';
import type { components, operations, paths } from './schema.d.ts';

export type { components, operations, paths };
export type KadrClient = Client<paths>;

/** A job's status as GET /api/images/{id}/status and the `status` events carry it. */
export type JobStatus = operations['getApiImagesByIdStatus']['responses'][200]['content']['application/json'];
/** A batch as GET /api/batches/{id} and its `batch` events carry it. */
export type Batch = operations['getApiBatchesById']['responses'][200]['content']['application/json'];
/** One entry of GET /api/images. */
export type ListedImage = operations['getApiImages']['responses'][200]['content']['application/json'][number];
/** The 202 body of an upload. */
export type Accepted = operations['postApiImages']['responses'][202]['content']['application/json'];
export type Step = NonNullable<operations['postApiImages']['requestBody']['content']['multipart/form-data']['operations']>[number];
/** Every error the API answers: `{ error: { code, message, … } }`. */
export type ApiErrorBody = operations['getApiImagesByIdStatus']['responses'][404]['content']['application/json'];

/**
 * The typed client of a kadr API at `baseUrl` (e.g. http://localhost:3000):
 * every path, parameter and body is checked against the OpenAPI document the
 * API serves, through the generated client/schema.d.ts.
 */
export function createKadrClient(baseUrl: string, init: { fetch?: typeof fetch } = {}): KadrClient {
  return createClient<paths>({ baseUrl: baseUrl.replace(/\/+$/, ''), ...init });
}

/**
 * openapi-fetch sends JSON by default; the upload endpoints take
 * multipart/form-data. Files go as file parts, arrays as one part per item
 * (`image` of a batch) unless they are JSON (`operations`), strings as they are.
 */
export function multipart(body: Record<string, unknown>): FormData {
  const form = new FormData();
  const add = (name: string, value: unknown) => {
    if (value === undefined) return;
    if (value instanceof File) form.append(name, value, value.name);
    else if (value instanceof Blob) form.append(name, value);
    else if (typeof value === 'string') form.append(name, value);
    else form.append(name, JSON.stringify(value));
  };
  for (const [name, value] of Object.entries(body)) {
    if (name === 'operations') add(name, value);
    else if (Array.isArray(value)) for (const item of value) add(name, item);
    else add(name, value);
  }
  return form;
}

/** The data of a `status` event on GET /api/images/events. */
// The stream's `data` is a status change or, for an unknown id, a `missing` event ({ id } alone).
export type StatusEvent = Extract<operations['getApiImagesEvents']['responses'][200]['content']['text/event-stream'], { status: unknown }>;
/** The data of a `batch` event on GET /api/batches/{id}/events. */
export type BatchEvent = operations['getApiBatchesByIdEvents']['responses'][200]['content']['text/event-stream'];
