import type { OpenAPIV3 } from 'openapi-types';
import type { Config } from '../../shared/config.ts';
import { OUTPUT_FORMATS } from '../../shared/formats.ts';
import { errorResponse, idParameter, unavailable } from '../docs.ts';

const header = (name: string, description: string): OpenAPIV3.ParameterObject => ({
  name,
  in: 'header',
  required: false,
  description,
  schema: { type: 'string' },
});

const readParameters: OpenAPIV3.ParameterObject[] = [
  idParameter,
  header(
    'Range',
    'one byte range: `bytes=a-b`, `bytes=a-` or `bytes=-n` (the last n bytes) answers 206. Several ranges are answered 200 ' +
      'with the whole image; a header that is not valid range syntax, or another unit, is ignored (200).',
  ),
  header('If-Range', 'the ETag: the Range is honoured only while it still names this image; anything else answers 200 whole'),
  header('If-None-Match', 'the ETag: 304 when it matches'),
];

const binary = Object.fromEntries(
  Object.values(OUTPUT_FORMATS).map((f) => [f.contentType, { schema: { type: 'string' as const, format: 'binary' } }]),
);

const responseHeaders: Record<string, OpenAPIV3.HeaderObject> = {
  ETag: { description: 'strong, `"<id>"`; the image never changes', schema: { type: 'string' } },
  'Accept-Ranges': { description: '`bytes`', schema: { type: 'string' } },
};

function readResponses(config: Config): OpenAPIV3.ResponsesObject {
  return {
    200: {
      description:
        'the processed image, streamed from the store; `Content-Type` follows the pipeline\'s `format` step (image/jpeg without one)',
      headers: responseHeaders,
      content: binary,
    },
    206: {
      description: 'the bytes the Range asked for',
      headers: {
        ...responseHeaders,
        'Content-Range': { description: '`bytes a-b/size`: the inclusive offsets sent and the whole size', schema: { type: 'string' } },
      },
      content: binary,
    },
    302: {
      description:
        'only with `STORAGE_REDIRECT=presigned` (S3 store): `Location` is a presigned URL of the image in the store, valid for ' +
        `${config.presignTtlSeconds} s (PRESIGN_TTL_SECONDS) or until the image's batch expires (a single upload: until ` +
        'IMAGE_TTL_SECONDS deletes it) if that is sooner. ' +
        'Range and If-None-Match go to the store with the redirected request.',
      headers: { Location: { description: 'the presigned URL; needs no credentials', schema: { type: 'string' } } },
    },
    304: { description: 'not modified (If-None-Match matched the ETag)' },
    404: errorResponse('unknown or malformed id'),
    409: errorResponse('known but not finished (`not_ready`, with Retry-After) or failed (`job_failed`, with the reason)'),
    410: errorResponse('with STORAGE_REDIRECT=presigned: the image (or its batch) has expired and is being deleted (`gone`)'),
    416: {
      ...errorResponse('the Range starts at or past the end of the image, or is `bytes=-0` (`range_not_satisfiable`, with `size`)'),
      headers: { 'Content-Range': { description: '`bytes */size`', schema: { type: 'string' } } },
    },
    503: unavailable,
  };
}

export function imageDownloadDocs(config: Config): OpenAPIV3.OperationObject {
  return {
    tags: ['images'],
    summary: 'The processed image, in the format its pipeline asked for (JPEG by default)',
    description:
      'Streamed from the image store, whole or one byte range, or a redirect to the store itself (STORAGE_REDIRECT=presigned). ' +
      'HEAD answers the same status and headers (Content-Length, ETag, Content-Range) without the image.',
    parameters: readParameters,
    responses: readResponses(config),
  };
}

/** GET /api/images/{id}/thumbnail: the same reads as the image, of its small JPEG. */
export function thumbnailDownloadDocs(config: Config): OpenAPIV3.OperationObject {
  const responses = readResponses(config);
  const binary = { schema: { type: 'string' as const, format: 'binary' } };
  // WebP only for images saved before 2026-12-01, when thumbnails became JPEG.
  const thumbnail = { 'image/jpeg': binary, 'image/webp': binary };
  const headers: Record<string, OpenAPIV3.HeaderObject> = {
    ...responseHeaders,
    ETag: { description: 'strong, `"<id>.thumb"`; the thumbnail never changes', schema: { type: 'string' } },
  };
  return {
    tags: ['images'],
    summary: 'The processed image\'s thumbnail: a JPEG of at most 320 px on its longer side',
    description:
      'Made once by the processor with the result and stored beside it; what the page\'s gallery shows. ' +
      'A JPEG (image/jpeg); images saved before 2026-12-01 have a WebP one (image/webp). ' +
      'Ranges, ETag, HEAD and STORAGE_REDIRECT=presigned as for the image itself.',
    parameters: readParameters,
    responses: {
      ...responses,
      200: { description: 'the thumbnail, streamed from the store', headers, content: thumbnail },
      206: { ...(responses[206] as OpenAPIV3.ResponseObject), content: thumbnail },
      404: errorResponse('unknown or malformed id, or an image saved before thumbnails existed (it has none)'),
    },
  };
}
