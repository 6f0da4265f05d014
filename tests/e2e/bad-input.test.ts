import { afterAll, beforeAll, test } from 'bun:test';
import { declaring } from '../support/images.ts';
import { multipartBytes } from '../support/multipart.ts';
import { rawHttp } from '../support/raw-http.ts';
import { expectUntouched, post, postRaw, rejectionSuite, type Rejection } from '../support/rejections.ts';
import { TestSystem } from '../support/system.ts';

// MAX_UPLOAD_BYTES is lowered so "too large" needs no huge body in the test.
const MAX_UPLOAD_BYTES = 200_000;
const CAT = await Bun.file(new URL('../fixtures/cat-640x480.jpg', import.meta.url)).bytes();
const COFFEE = await Bun.file(new URL('../fixtures/coffee-1920x1280.jpg', import.meta.url)).bytes();
const bytes = async (b: Promise<Buffer>) => new Uint8Array(await b);
const BOMBS = {
  jpeg: await bytes(declaring('jpeg', 30000, 30000)),
  png: await bytes(declaring('png', 30000, 30000)),
  gif: await bytes(declaring('gif', 30000, 30000)),
  webp: await bytes(declaring('webp-lossy', 16383, 16383)),
  justOver: await bytes(declaring('png', 10000, 5001)),
};

let system: TestSystem;

const file = (data: Uint8Array<ArrayBuffer> | string, type = 'image/jpeg') => new Blob([data], { type });
const cat = () => file(CAT);
const MULTIPART = 'multipart/form-data; boundary=XYZ';

/** A body stream that never ends: only a server that stops reading can answer it. */
const endless = () =>
  new ReadableStream<Uint8Array>({
    pull: (controller) => controller.enqueue(new Uint8Array(64 * 1024).fill(0x41)),
  });

const SHAPE: Rejection[] = [
  { name: 'no image part', send: post([['description', 'x']]), status: 422, code: 'missing_field', field: 'image' },
  { name: 'an empty image file', send: post([['image', file(new Uint8Array())], ['description', 'x']]), status: 422, code: 'empty_file', field: 'image' },
  { name: 'two image parts', send: post([['image', cat()], ['image', cat()], ['description', 'x']]), status: 422, code: 'too_many_files', field: 'image' },
  { name: 'the image sent as a text field', send: post([['image', 'not a file'], ['description', 'x']]), status: 422, code: 'not_a_file', field: 'image' },
  { name: 'wrong field names (photo, text)', send: post([['photo', cat()], ['text', 'x']]), status: 422, code: 'missing_field', field: 'image' },
  { name: 'a field name in another case (Image)', send: post([['Image', cat()], ['description', 'x']]), status: 422, code: 'missing_field', field: 'image' },
  { name: 'the description under another name (caption)', send: post([['image', cat()], ['caption', 'x']]), status: 422, code: 'missing_field', field: 'description' },
  { name: 'a form with no parts at all', send: postRaw(MULTIPART, '--XYZ--\r\n'), status: 422, code: 'missing_field', field: 'image' },
];

const NOT_AN_IMAGE: Rejection[] = [
  { name: 'a text file', send: post([['image', file('hello, world', 'text/plain'), 'a.txt'], ['description', 'x']]), status: 415, code: 'unsupported_media_type' },
  { name: 'HTML named photo.jpg and declared image/jpeg', send: post([['image', file('<html><script>alert(1)</script></html>')], ['description', 'x']]), status: 415, code: 'unsupported_media_type' },
  { name: 'an SVG', send: post([['image', file('<svg xmlns="http://www.w3.org/2000/svg"/>', 'image/svg+xml'), 'a.svg'], ['description', 'x']]), status: 415, code: 'unsupported_media_type' },
  { name: 'a PDF', send: post([['image', file('%PDF-1.7\n%\u00e2\u00e3\n', 'application/pdf'), 'a.pdf'], ['description', 'x']]), status: 415, code: 'unsupported_media_type' },
  { name: 'two bytes of a JPEG signature', send: post([['image', file(new Uint8Array([0xff, 0xd8]))], ['description', 'x']]), status: 415, code: 'unsupported_media_type' },
];

const TOO_BIG: Rejection[] = [
  { name: 'an image over MAX_UPLOAD_BYTES', send: post([['image', file(COFFEE)], ['description', 'x']]), status: 413, code: 'payload_too_large', says: [String(MAX_UPLOAD_BYTES)] },
  { name: 'a 20 MB body with its Content-Length', send: postRaw(MULTIPART, new Uint8Array(20 * 1024 * 1024)), status: 413, code: 'payload_too_large', says: ['Content-Length'] },
  { name: 'an endless chunked body without Content-Length', send: postRaw(MULTIPART, endless()), status: 413, code: 'payload_too_large', says: ['reading stopped'] },
  {
    name: 'Content-Length of 1 GB with only 10 bytes sent',
    send: (base) =>
      rawHttp(base, `POST /api/images HTTP/1.1\r\nHost: kadr\r\nContent-Type: ${MULTIPART}\r\nContent-Length: 1000000000\r\nConnection: close\r\n\r\n`, new Uint8Array(10)),
    status: 413,
    code: 'payload_too_large',
    says: ['1000000000'],
  },
];

const BOMB_SAYS = ['at most 50000000 pixels'];
const BOMB: Rejection[] = [
  { name: 'a JPEG declaring 30000x30000 (decompression bomb)', send: post([['image', file(BOMBS.jpeg)], ['description', 'x']]), status: 422, code: 'image_too_large', field: 'image', says: ['30000x30000', ...BOMB_SAYS] },
  { name: 'a PNG declaring 30000x30000', send: post([['image', file(BOMBS.png, 'image/png'), 'a.png'], ['description', 'x']]), status: 422, code: 'image_too_large', field: 'image', says: ['30000x30000', ...BOMB_SAYS] },
  { name: 'a GIF with a 30000x30000 frame', send: post([['image', file(BOMBS.gif, 'image/gif'), 'a.gif'], ['description', 'x']]), status: 422, code: 'image_too_large', field: 'image', says: ['30000x30000', ...BOMB_SAYS] },
  { name: 'a WebP declaring 16383x16383', send: post([['image', file(BOMBS.webp, 'image/webp'), 'a.webp'], ['description', 'x']]), status: 422, code: 'image_too_large', field: 'image', says: ['16383x16383', ...BOMB_SAYS] },
  { name: 'a PNG of 10000x5001, just over the pixel limit', send: post([['image', file(BOMBS.justOver, 'image/png'), 'a.png'], ['description', 'x']]), status: 422, code: 'image_too_large', field: 'image', says: ['50010000'] },
];

const FRAMING: Rejection[] = [
  { name: 'a JSON body', send: postRaw('application/json', '{"description":"x"}'), status: 415, code: 'unsupported_content_type' },
  { name: 'no Content-Type', send: postRaw(undefined, new Uint8Array([1, 2, 3])), status: 415, code: 'unsupported_content_type' },
  { name: 'a URL-encoded form', send: postRaw('application/x-www-form-urlencoded', 'description=x&image=y'), status: 415, code: 'unsupported_content_type' },
  { name: 'multipart/mixed', send: postRaw('multipart/mixed; boundary=XYZ', '--XYZ--\r\n'), status: 415, code: 'unsupported_content_type' },
  { name: 'a wrong Content-Type over a valid multipart body (text/plain)', send: postRaw('text/plain', multipartBytes([{ name: 'description', data: 'x' }]).body), status: 415, code: 'unsupported_content_type' },
  { name: 'multipart/form-data without a boundary', send: postRaw('multipart/form-data; charset=utf-8', '--XYZ--\r\n'), status: 400, code: 'malformed_multipart' },
  { name: 'a malformed multipart body (no closing boundary)', send: postRaw(MULTIPART, '--XYZ\r\nContent-Disposition: form-data; name="image"\r\n\r\nabc'), status: 400, code: 'malformed_multipart' },
  { name: 'a body framed by another boundary', send: postRaw(MULTIPART, multipartBytes([{ name: 'description', data: 'x' }], 'other').body), status: 400, code: 'malformed_multipart' },
  { name: 'a part whose headers never end', send: postRaw(MULTIPART, '--XYZ\r\nContent-Disposition: form-data; name="image"'), status: 400, code: 'malformed_multipart' },
];

const KEY = (key: string) => post([['image', cat()], ['description', 'x']], { 'idempotency-key': key });
const IDEMPOTENCY_KEY: Rejection[] = [
  { name: 'an empty Idempotency-Key', send: KEY(''), status: 400, code: 'invalid_idempotency_key', says: ['0 characters'] },
  { name: 'an Idempotency-Key of 256 characters', send: KEY('k'.repeat(256)), status: 400, code: 'invalid_idempotency_key', says: ['256 characters'] },
  { name: 'an Idempotency-Key holding a tab', send: KEY('a\tb'), status: 400, code: 'invalid_idempotency_key', says: ['U+0009'] },
  { name: 'an Idempotency-Key holding a Latin-1 letter', send: KEY('caf\u00e9'), status: 400, code: 'invalid_idempotency_key', says: ['U+00E9'] },
];

const UPLOAD_REJECTIONS = [...SHAPE, ...NOT_AN_IMAGE, ...TOO_BIG, ...BOMB, ...FRAMING, ...IDEMPOTENCY_KEY];

beforeAll(async () => {
  system = await TestSystem.start({ env: { MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES) } });
}, 60_000);

afterAll(async () => {
  await system?.stop();
});

rejectionSuite('bad uploads get a clear 4xx naming the problem, and leave nothing behind', UPLOAD_REJECTIONS, () => system);

test('after all the bad uploads the services are ready and nothing at all was written', () => expectUntouched(system));
