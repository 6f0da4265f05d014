import { BadRequestError, PayloadTooLargeError } from '../../shared/errors.ts';

/**
 * Reads a request body into memory, refusing it with 413 as soon as it is
 * known to exceed `maxBytes`: by its Content-Length before a byte is read, or,
 * for a body sent without one (chunked), by counting what arrives. An
 * oversized body therefore costs at most `maxBytes` of memory, whatever its size.
 * `why` is added to the message to say what the limit is made of.
 */
export async function readBodyLimited(request: Request, maxBytes: number, why = ''): Promise<Uint8Array<ArrayBuffer>> {
  hasDeclaredLength(request, maxBytes, why);
  const limit = limitText(maxBytes, why);
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const chunk = await reader.read().catch(() => {
      throw new BadRequestError(`the body could not be read to its end (${total} bytes arrived)`, 'malformed_multipart');
    });
    if (chunk.done) break;
    total += chunk.value.byteLength;
    if (total > maxBytes) {
      // Stop reading; the rest of the body is never buffered.
      await reader.cancel().catch(() => {});
      throw new PayloadTooLargeError(`the body is over ${maxBytes} bytes (${total} arrived before reading stopped); ${limit}`);
    }
    chunks.push(chunk.value);
  }
  const body = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    body.set(c, at);
    at += c.byteLength;
  }
  return body;
}

const limitText = (maxBytes: number, why: string) => `at most ${maxBytes} bytes are accepted${why && ` (${why})`}`;

/**
 * True when the request declares its length (Content-Length), which is then
 * within `maxBytes`: the server reads no more than that, so such a body may be
 * read whole at once. Throws 413 for a declared length over the limit, before
 * a byte is read.
 */
export function hasDeclaredLength(request: Request, maxBytes: number, why = ''): boolean {
  const header = request.headers.get('content-length');
  if (header === null) return false;
  const declared = Number(header);
  if (declared > maxBytes) {
    throw new PayloadTooLargeError(`the body is ${declared} bytes (Content-Length); ${limitText(maxBytes, why)}`);
  }
  return true;
}
