import type { OpenAPIV3 } from 'openapi-types';
import type { Config } from '../../shared/config.ts';
import { acceptedResponse, errorResponse, idempotencyKeyParameter } from '../docs.ts';
import { operationsProperty, parameterProperties } from './operations-docs.ts';
import { MAX_STEP_FILE_BYTES, MAX_STEP_FILES } from './operations-field.ts';
import type { Shortcut } from './shortcuts.ts';
import { callbackUrlProperty, webhookCallbacks } from './webhook-docs.ts';
import { MAX_SOURCE_URL_LENGTH } from './source-url.ts';

/** A shortcut's documentation: the upload's, with the operation's parameters as the form fields. */
export function shortcutDocs(config: Config, shortcut: Shortcut): OpenAPIV3.OperationObject {
  const base = uploadDocs(config);
  const { operation } = shortcut;
  const { image: photo, url } = requestProperties(base);
  return {
    ...base,
    tags: ['operations'],
    summary: `${operation.name}: ${operation.summary}`,
    description:
      `The pipeline \`[{"op":"${operation.name}", ...fields}]\` as an endpoint of its own; the same 202, status and result as ` +
      '`POST /api/images`. `description` is optional here (stored as the operation\'s name when absent).',
    requestBody: formBody(
      (operation.params.required ?? []).filter((p: string) => !(p in (shortcut.fileParams ?? {}))),
      {
        image: photo!,
        url: url!,
        description: { ...requestProperties(base).description!, description: 'optional here; stored with the image' },
        ...parameterProperties(operation, shortcut.fileParams),
        callback_url: callbackUrlProperty(config, 'job'),
      },
    ),
  };
}

function formBody(
  required: string[],
  properties: Record<string, OpenAPIV3.SchemaObject>,
  encoding?: Record<string, OpenAPIV3.EncodingObject>,
): OpenAPIV3.RequestBodyObject {
  return { required: true, content: { 'multipart/form-data': { schema: { type: 'object', ...(required.length ? { required } : {}), properties }, encoding } } };
}

function requestProperties(doc: OpenAPIV3.OperationObject): Record<string, OpenAPIV3.SchemaObject> {
  const body = doc.requestBody as OpenAPIV3.RequestBodyObject;
  return (body.content['multipart/form-data']!.schema as OpenAPIV3.SchemaObject).properties as Record<string, OpenAPIV3.SchemaObject>;
}

/** The upload endpoint parses its own body, so its request schema is written out here. */
export function uploadDocs(config: Config): OpenAPIV3.OperationObject {
  return {
    callbacks: webhookCallbacks('job'),
    tags: ['images'],
    summary: 'Upload a photo to be captioned, or processed by a pipeline of operations',
    description:
      'Answers at once with a job id; the processing happens in the background. ' +
      'Without `operations` the photo is captioned: its description in a band underneath. ' +
      'Poll `status_url` (also in `Location`) until `done`, then fetch `image_url`. ' +
      'Send an `Idempotency-Key` to make retries safe: a repeat with the same key and the same image and ' +
      `description, within ${config.idempotencyTtlSeconds} seconds of the first, answers the first id again ` +
      'with `Idempotent-Replayed: true` and creates no second job. Only an accepted (202) upload uses a key up. ' +
      'Instead of the `image` file part the form may carry `url`, the photo\'s http(s) address: the answer is still 202 at once, ' +
      'and a processor fetches it (status `fetching`), held to the same size and pixel limits as an upload. ' +
      'An address the SSRF guard refuses (not a public address, or a port other than 80 and 443, unless the server allows it) ' +
      'is 422 `source_forbidden` before anything is queued. A fetch that fails ends the job `failed` with `source_unreachable`, ' +
      '`source_timeout`, `source_http_error`, `source_too_large`, `source_not_image` or `source_forbidden`; timeouts, resets, 5xx and 429 are retried first.',
    parameters: [
      idempotencyKeyParameter(
        'a client-chosen key, unique per upload (a UUID is a good choice): 1 to 255 printable ASCII characters. ' +
          `Remembered for ${config.idempotencyTtlSeconds} seconds.`,
      ),
    ],
    requestBody: formBody(
      ['description'],
      {
        image: {
          type: 'string',
          format: 'binary',
          description: `the photo: JPEG (also PNG, WebP, GIF, TIFF, AVIF), 1 to ${config.maxUploadBytes} bytes. Required unless \`url\` is sent; never both`,
        },
        url: {
          type: 'string',
          format: 'uri',
          maxLength: MAX_SOURCE_URL_LENGTH,
          description:
            'instead of `image`: the photo\'s absolute http or https address, without a user name or password, ' +
            `fetched by a processor within ${config.fetchTimeoutMs} ms and ${config.fetchMaxRedirects} redirects, at most ${config.maxUploadBytes} bytes`,
        },
        description: {
          type: 'string',
          minLength: 1,
          maxLength: config.maxDescriptionLength,
          description: `UTF-8 text, 1 to ${config.maxDescriptionLength} characters (Unicode code points); no control characters`,
        },
        operations: operationsProperty(),
        callback_url: callbackUrlProperty(config, 'job'),
      },
      { operations: { contentType: 'application/json' } },
    ),
    responses: {
      202: acceptedResponse({ status_url: { type: 'string' }, image_url: { type: 'string' } }),
      400: errorResponse('malformed multipart body (`malformed_multipart`), or an Idempotency-Key that is empty, over 255 characters or not printable ASCII (`invalid_idempotency_key`)'),
      409: errorResponse('the first request with this Idempotency-Key is still being accepted (`idempotency_key_in_use`); retry after `Retry-After` seconds'),
      413: errorResponse(
        `the image is over ${config.maxUploadBytes} bytes, a watermark image over ${MAX_STEP_FILE_BYTES}, or the body over all of that ` +
          `(up to ${MAX_STEP_FILES} watermark images) plus the form around it (\`payload_too_large\`); refused by Content-Length or while streaming, never buffered whole`,
      ),
      415: errorResponse('not multipart/form-data (`unsupported_content_type`), or the file is not an image (`unsupported_media_type`)'),
      422: errorResponse(
        'a field is missing or invalid: `missing_field`, `empty_file`, `too_many_files`, `not_a_file`, `too_many_values`, `not_text`, ' +
          '`invalid_url`, `conflicting_fields` (both `image` and `url`), `source_forbidden` (the SSRF guard refuses the URL\'s address or port), ' +
          '`blank`, `too_long`, `invalid_characters`, `invalid_utf8`; ' +
          'an invalid pipeline (`invalid_operation`, naming the step, the parameter, what was expected and what arrived: ' +
          '`operations[2].width: expected an integer from 1 to 16384, got "abc"`) or `operations` that is not JSON (`invalid_json`); ' +
          `the image header declares more than ${config.maxInputPixels} pixels (\`image_too_large\`, refused before decoding); ` +
          'or the Idempotency-Key was already used for a different image or description (`idempotency_key_reused`)',
      ),
      503: errorResponse(
        'the queue is full (`queue_full`), Redis is unavailable (`redis_unavailable`) or, for an image held in the object ' +
          'store (the claim check), the store is (`storage_unavailable`); `Retry-After` says when to try again. ' +
          '`outcome_unknown`: Redis went away mid-write, so the upload may have been queued; `id` names it — ' +
          'GET its status after Retry-After, and send it again only on 404',
      ),
    },
  };
}
