import { NotFoundError, RangeNotSatisfiableError } from '../../shared/errors.ts';
import type { ObjectStore } from '../../shared/storage/store.ts';
import { contentRange, parseRange, type RangeAnswer } from './byte-range.ts';
import { ifRangeAllows, noneMatchHits } from './conditional.ts';
import { SECURITY_HEADERS } from '../http-errors.ts';

export interface Download {
  /** The object's key in the store. */
  key: string;
  /** A strong entity tag of the representation, quoted. */
  etag: string;
  contentType: string;
  /** Headers every answer carries (Cache-Control). */
  headers: Record<string, string>;
  /** What to say when the object is missing from the store. */
  missing: string;
}

/**
 * Answers a GET (or HEAD) of one stored object, streamed from the store and
 * never held whole: 304 when If-None-Match holds the ETag, 206 with
 * Content-Range for one satisfiable `Range` (unless If-Range names another
 * representation), RangeNotSatisfiableError (416) when the range selects no
 * byte, and 200 with everything otherwise (no, an invalid or a multiple
 * Range). A HEAD answers the same status and headers without reading the
 * object (see `sizedNothing`).
 *
 * Bun.serve drops Content-Length from any streamed body it cannot size
 * itself (oven-sh/bun#10507; it keeps it for a file), so from the S3 store
 * the body goes chunked; Content-Range still states a 206's exact extent.
 */
export async function serveObject(store: ObjectStore, request: Request, d: Download): Promise<Response> {
  const headers: Record<string, string> = { ...SECURITY_HEADERS, ...d.headers, etag: d.etag, 'accept-ranges': 'bytes' };
  if (noneMatchHits(request.headers.get('if-none-match'), d.etag)) return new Response(null, { status: 304, headers });
  const rangeHeader = request.headers.get('range');
  const wantsPart = rangeHeader !== null && ifRangeAllows(request.headers.get('if-range'), d.etag);
  // A plain GET needs no size up front: the store's get answers it along with the stream.
  const head = wantsPart || request.method === 'HEAD' ? await store.head(d.key) : undefined;
  if (head === null) throw new NotFoundError(d.missing);
  const answer: RangeAnswer = head && wantsPart ? parseRange(rangeHeader, head.size) : { kind: 'whole' };
  if (answer.kind === 'unsatisfiable') {
    throw new RangeNotSatisfiableError(`${rangeHeader} selects no byte of the ${head!.size}-byte object`, head!.size);
  }
  const range = answer.kind === 'range' ? answer.range : undefined;
  const status = range ? 206 : 200;
  const describe = (length: number, size: number) => ({
    ...headers,
    'content-type': d.contentType,
    'content-length': String(length),
    ...(range && { 'content-range': contentRange(range, size) }),
  });
  if (request.method === 'HEAD') {
    const length = range ? range.end - range.start + 1 : head!.size;
    return new Response(sizedNothing(length), { status, headers: describe(length, head!.size) });
  }
  const body = await store.get(d.key, range);
  if (!body) throw new NotFoundError(d.missing);
  return new Response(body.stream, { status, headers: describe(body.length, body.size) });
}

const ZEROS = new Uint8Array(64 * 1024);

/**
 * A body of `length` zero bytes made from one shared buffer, for a HEAD.
 * Elysia (1.4) answers a HEAD of a route with a parameter by running its GET
 * handler and setting Content-Length to the bytes that body yields, dropping
 * the handler's own; this body counts right without reading the object from
 * the store, and nothing of it is sent (a HEAD has no body).
 */
function sizedNothing(length: number): ReadableStream<Uint8Array> {
  let left = length;
  return new ReadableStream({
    pull(controller) {
      if (left === 0) return controller.close();
      const n = Math.min(left, ZEROS.byteLength);
      left -= n;
      controller.enqueue(n === ZEROS.byteLength ? ZEROS : ZEROS.subarray(0, n));
    },
  });
}
