import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import {
  BadRequestError,
  KadrError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../../shared/errors.ts';
import { declaring } from '../../tests/support/images.ts';
import { formOf, type Part } from '../../tests/support/multipart.ts';
import { readUpload, type UploadLimits } from './upload.ts';

const LIMITS: UploadLimits = { maxUploadBytes: 200_000, maxDescriptionLength: 200, maxInputPixels: 50_000_000 };
const JPEG = new Uint8Array(readFileSync(join(import.meta.dir, '..', '..', 'tests', 'fixtures', 'cat-640x480.jpg')));
const ENDPOINT = 'http://kadr.test/api/images';

/** A POST whose body is the multipart encoding of `parts`, built by FormData itself. */
function formRequest(parts: Part[], headers: Record<string, string> = {}): Request {
  return new Request(ENDPOINT, { method: 'POST', body: formOf(parts), headers });
}

/** A POST with a hand-written body, for what FormData would never produce. */
function rawRequest(body: string | Uint8Array<ArrayBuffer>, contentType?: string): Request {
  return new Request(ENDPOINT, { method: 'POST', body, headers: contentType ? { 'content-type': contentType } : {} });
}

const jpegFile = (bytes: Uint8Array<ArrayBuffer> = JPEG, type = 'image/jpeg') => new Blob([bytes], { type });

async function rejection<E extends KadrError>(request: Request, cls: new (...args: never[]) => E, limits = LIMITS): Promise<E> {
  try {
    await readUpload(request, limits);
  } catch (err) {
    expect(err).toBeInstanceOf(cls);
    return err as E;
  }
  throw new Error(`expected readUpload to throw ${cls.name}`);
}

describe('readUpload accepts', () => {
  test('a JPEG and a description, returning the exact bytes and text', async () => {
    const description = 'Кот на подоконнике 🐈';
    const upload = await readUpload(formRequest([['image', jpegFile()], ['description', description]]), LIMITS);
    expect(upload.contentType).toBe('image/jpeg');
    expect(upload.description).toBe(description);
    expect(upload.image).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(upload.image!).equals(Buffer.from(JPEG))).toBe(true);
  });

  test('a PNG, typed by its bytes rather than by what the client declared', async () => {
    const png = new Uint8Array(await sharp({ create: { width: 4, height: 4, channels: 3, background: '#123456' } }).png().toBuffer());
    const file = new Blob([png], { type: 'application/octet-stream' });
    const upload = await readUpload(formRequest([['image', file, 'x.bin'], ['description', 'a square']]), LIMITS);
    expect(upload.contentType).toBe('image/png');
  });

  test('parts in any order, with unrelated extra fields', async () => {
    const upload = await readUpload(formRequest([['description', 'first'], ['note', 'ignored'], ['image', jpegFile()]]), LIMITS);
    expect(upload.description).toBe('first');
  });

  test('a content type written in another case and without a space', async () => {
    const request = formRequest([['image', jpegFile()], ['description', 'x']]);
    const type = request.headers.get('content-type')!.replace('multipart/form-data; ', 'Multipart/Form-Data;');
    const body = await request.arrayBuffer();
    const upload = await readUpload(new Request(ENDPOINT, { method: 'POST', body, headers: { 'content-type': type } }), LIMITS);
    expect(upload.contentType).toBe('image/jpeg');
  });

  test('an image of exactly the size limit', async () => {
    const limits = { ...LIMITS, maxUploadBytes: JPEG.byteLength };
    const upload = await readUpload(formRequest([['image', jpegFile()], ['description', 'x']]), limits);
    expect(upload.image!.byteLength).toBe(JPEG.byteLength);
  });
});

describe('readUpload refuses the wrong kind of body with 415', () => {
  test.each([
    ['JSON', () => rawRequest('{"description":"x"}', 'application/json')],
    ['plain text', () => rawRequest('hello', 'text/plain')],
    ['a bare JPEG body', () => rawRequest(JPEG, 'image/jpeg')],
    ['a URL-encoded form', () => new Request(ENDPOINT, { method: 'POST', body: new URLSearchParams({ description: 'x' }) })],
    ['no content type at all', () => new Request(ENDPOINT, { method: 'POST' })],
    ['multipart/mixed', () => rawRequest('--b\r\n\r\n--b--\r\n', 'multipart/mixed; boundary=b')],
  ])('refuses %s with unsupported_content_type', async (_, make) => {
    const err = await rejection(make(), UnsupportedMediaTypeError);
    expect(err.status).toBe(415);
    expect(err.code).toBe('unsupported_content_type');
  });
});

describe('readUpload refuses oversized uploads with 413', () => {
  test('refuses a body whose declared length is far beyond the limit, before reading it', async () => {
    const request = formRequest([['image', jpegFile()], ['description', 'x']], { 'content-length': String(50 * 1024 * 1024) });
    const err = await rejection(request, PayloadTooLargeError);
    expect(err.status).toBe(413);
    expect(err.code).toBe('payload_too_large');
    expect(request.bodyUsed).toBe(false);
  });

  test('refuses an image one byte over the limit', async () => {
    const limits = { ...LIMITS, maxUploadBytes: JPEG.byteLength - 1 };
    const err = await rejection(formRequest([['image', jpegFile()], ['description', 'x']]), PayloadTooLargeError, limits);
    expect(err.status).toBe(413);
    expect(err.code).toBe('payload_too_large');
  });
});

describe('readUpload refuses malformed multipart with 400', () => {
  test.each([
    ['a body that is not multipart at all', 'just some text'],
    ['a body with no closing boundary', '--b\r\nContent-Disposition: form-data; name="description"\r\n\r\nhello'],
    ['a body framed by a different boundary', '--other\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n--other--\r\n'],
  ])('refuses %s with malformed_multipart', async (_, body) => {
    const err = await rejection(rawRequest(body, 'multipart/form-data; boundary=b'), BadRequestError);
    expect(err.status).toBe(400);
    expect(err.code).toBe('malformed_multipart');
  });
});

describe('readUpload refuses a bad image part with 422', () => {
  const cases: Array<[string, Part[], string]> = [
    ['a missing image', [['description', 'a cat']], 'missing_field'],
    ['an empty file', [['image', new Blob([], { type: 'image/jpeg' })], ['description', 'a cat']], 'empty_file'],
    ['two images', [['image', jpegFile()], ['image', jpegFile()], ['description', 'a cat']], 'too_many_files'],
    ['an image sent as a text field', [['image', 'ÿØÿ not really a file'], ['description', 'a cat']], 'not_a_file'],
  ];
  test.each(cases)('refuses %s', async (_, parts, code) => {
    const err = await rejection(formRequest(parts), ValidationError);
    expect(err.status).toBe(422);
    expect(err.code).toBe(code);
    expect(err.field).toBe('image');
  });

  test('checks the image before the description', async () => {
    const err = await rejection(formRequest([['note', 'nothing useful']]), ValidationError);
    expect(err.field).toBe('image');
  });
});

describe('readUpload refuses non-image bytes with 415', () => {
  test.each([
    ['text declared as a JPEG', new Blob(['definitely not an image'], { type: 'image/jpeg' })],
    ['a PDF', new Blob(['%PDF-1.7\n%âãÏÓ\n'], { type: 'application/pdf' })],
    ['an SVG', new Blob(['<svg xmlns="http://www.w3.org/2000/svg"/>'], { type: 'image/svg+xml' })],
    ['a single byte', new Blob([new Uint8Array([0xff])], { type: 'image/jpeg' })],
  ])('refuses %s with unsupported_media_type', async (_, file) => {
    const err = await rejection(formRequest([['image', file, 'upload.jpg'], ['description', 'x']]), UnsupportedMediaTypeError);
    expect(err.status).toBe(415);
    expect(err.code).toBe('unsupported_media_type');
  });
});

describe('readUpload checks the description', () => {
  test.each([
    ['a missing description', [['image', jpegFile()]], 'missing_field'],
    ['a description sent twice', [['image', jpegFile()], ['description', 'a'], ['description', 'b']], 'too_many_values'],
    ['a description sent as a file', [['image', jpegFile()], ['description', new Blob(['x']), 'd.txt']], 'not_text'],
    ['a blank description', [['image', jpegFile()], ['description', '   ']], 'blank'],
    ['a description over the limit', [['image', jpegFile()], ['description', 'й'.repeat(201)]], 'too_long'],
  ] as Array<[string, Part[], string]>)('refuses %s', async (_, parts, code) => {
    const err = await rejection(formRequest(parts), ValidationError);
    expect(err.status).toBe(422);
    expect(err.code).toBe(code);
    expect(err.field).toBe('description');
  });

  test('applies the configured description limit', async () => {
    const limits = { ...LIMITS, maxDescriptionLength: 5 };
    const err = await rejection(formRequest([['image', jpegFile()], ['description', 'sixsix']]), ValidationError, limits);
    expect(err.code).toBe('too_long');
  });

  test('refuses a description whose bytes are not valid UTF-8 with invalid_utf8', async () => {
    const head = Buffer.from('--b\r\nContent-Disposition: form-data; name="image"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n');
    const middle = Buffer.from('\r\n--b\r\nContent-Disposition: form-data; name="description"\r\n\r\ncaf');
    const body = Buffer.concat([head, JPEG, middle, Buffer.from([0xc3, 0x28]), Buffer.from('\r\n--b--\r\n')]);
    const err = await rejection(rawRequest(new Uint8Array(body), 'multipart/form-data; boundary=b'), ValidationError);
    expect(err.code).toBe('invalid_utf8');
  });

  test('refuses a description containing NUL with invalid_characters', async () => {
    const err = await rejection(formRequest([['image', jpegFile()], ['description', 'a\u0000b']]), ValidationError);
    expect(err.code).toBe('invalid_characters');
  });
});

describe('readUpload refuses a decompression bomb by its header with 422', () => {
  test.each(['jpeg', 'png', 'gif'] as const)('refuses a %s declaring 30000x30000, naming the size and the limit', async (format) => {
    const bomb = new Blob([new Uint8Array(await declaring(format, 30000, 30000))]);
    const err = await rejection(formRequest([['image', bomb], ['description', 'x']]), ValidationError);
    expect([err.status, err.code, err.field]).toEqual([422, 'image_too_large', 'image']);
    expect(err.message).toContain('30000x30000');
    expect(err.message).toContain('50000000');
  });

  test('accepts an image of exactly the pixel limit', async () => {
    const limits = { ...LIMITS, maxInputPixels: 640 * 480 };
    expect((await readUpload(formRequest([['image', jpegFile()], ['description', 'x']]), limits)).contentType).toBe('image/jpeg');
    const err = await rejection(formRequest([['image', jpegFile()], ['description', 'x']]), ValidationError, { ...limits, maxInputPixels: 640 * 480 - 1 });
    expect(err.code).toBe('image_too_large');
  });

  test('lets a JPEG through whose header is cut before its size, for the processor to refuse', async () => {
    const upload = await readUpload(formRequest([['image', jpegFile(JPEG.slice(0, 20))], ['description', 'x']]), LIMITS);
    expect(upload.image!.byteLength).toBe(20);
  });
});

describe('readUpload takes an image by its address', () => {
  test('a url instead of an image part, normalised by WHATWG URL', async () => {
    const upload = await readUpload(formRequest([['url', 'HTTPS://Img.Example/cat.jpg'], ['description', 'a cat']]), LIMITS);
    expect(upload.source).toEqual({ url: 'https://img.example/cat.jpg', field: 'url' });
    expect(upload.image).toBeUndefined();
  });

  test('both an image and a url is 422 conflicting_fields naming url', async () => {
    const err = await rejection(formRequest([['image', jpegFile()], ['url', 'https://img.example/cat.jpg'], ['description', 'x']]), ValidationError);
    expect([err.field, err.code]).toEqual(['url', 'conflicting_fields']);
  });

  test('neither is 422 missing_field naming image and telling of url', async () => {
    const err = await rejection(formRequest([['description', 'x']]), ValidationError);
    expect([err.field, err.code]).toEqual(['image', 'missing_field']);
    expect(err.message).toContain('"url"');
  });

  test('two urls are 422 too_many_values', async () => {
    const err = await rejection(formRequest([['url', 'https://a.example/1.jpg'], ['url', 'https://a.example/2.jpg'], ['description', 'x']]), ValidationError);
    expect([err.field, err.code]).toEqual(['url', 'too_many_values']);
  });

  test.each([
    ['ftp://img.example/cat.jpg', 'http or https'],
    ['/cat.jpg', 'absolute'],
    ['https://user:secret@img.example/cat.jpg', 'user name or password'],
    [`https://img.example/${'a'.repeat(2048)}`, 'at most 2048'],
  ])('a bad url %p is 422 invalid_url', async (url, says) => {
    const err = await rejection(formRequest([['url', url], ['description', 'x']]), ValidationError);
    expect([err.field, err.code]).toEqual(['url', 'invalid_url']);
    expect(err.message).toContain(says);
  });

  test('a url sent as a file part is 422 invalid_url', async () => {
    const err = await rejection(formRequest([['url', new Blob(['https://img.example/cat.jpg'])], ['description', 'x']]), ValidationError);
    expect(err.code).toBe('invalid_url');
  });
});
