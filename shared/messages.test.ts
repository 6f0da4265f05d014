import { describe, expect, test } from 'bun:test';
import { InvalidMessageError, isPermanent } from './errors.ts';
import { captionedCodec, toFields, uploadCodec, type Fields } from './messages.ts';

const ID = '3f2b8c1e-9a4d-4e7f-8b21-0c5d6e7f8a9b';
const RECEIVED_AT = '2025-01-02T03:04:05.678Z';
const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, i) => i);

/** What a consumer gets back from Redis for an XADD of `args`: every value as a Buffer. */
function overRedis(args: Array<string | Buffer>): Fields {
  const fields: Fields = {};
  for (let i = 0; i < args.length; i += 2) {
    const value = args[i + 1]!;
    fields[String(args[i])] = Buffer.isBuffer(value) ? Buffer.from(value) : Buffer.from(value, 'utf8');
  }
  return fields;
}

const upload = (over: Record<string, string | number | Uint8Array> = {}) =>
  overRedis(toFields({ id: ID, description: 'a cat', received_at: RECEIVED_AT, image: ALL_BYTES, ...over }));

const captioned = (over: Record<string, string | number | Uint8Array> = {}) =>
  overRedis(toFields({ id: ID, description: 'a cat', received_at: RECEIVED_AT, image: ALL_BYTES, width: 640, height: 480, ...over }));

function without(fields: Fields, key: string): Fields {
  const { [key]: _, ...rest } = fields;
  return rest;
}

function expectInvalid(decode: () => unknown): InvalidMessageError {
  try {
    decode();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidMessageError);
    expect((err as InvalidMessageError).code).toBe('invalid_message');
    expect(isPermanent(err)).toBe(true);
    return err as InvalidMessageError;
  }
  throw new Error('expected decode to throw InvalidMessageError');
}

describe('toFields', () => {
  test('flattens a message into alternating names and values, binary as a Buffer', () => {
    const args = toFields({ id: ID, image: new Uint8Array([1, 2, 3]), width: 7 });
    expect(args[0]).toBe('id');
    expect(args[1]).toBe(ID);
    expect(args[2]).toBe('image');
    expect(Buffer.isBuffer(args[3])).toBe(true);
    expect([...(args[3] as Buffer)]).toEqual([1, 2, 3]);
    expect(args.slice(4)).toEqual(['width', '7']);
  });

  test('sends only the viewed bytes of an image that is a slice of a larger buffer', () => {
    const backing = Uint8Array.from({ length: 32 }, (_, i) => i);
    const [, image] = toFields({ image: backing.subarray(10, 14) });
    expect([...(image as Buffer)]).toEqual([10, 11, 12, 13]);
  });

  test('does not base64 or otherwise re-encode the image', () => {
    const [, image] = toFields({ image: ALL_BYTES });
    expect((image as Buffer).byteLength).toBe(256);
  });
});

describe('uploadCodec', () => {
  test('round-trips all 256 byte values of the image exactly', () => {
    const message = uploadCodec.decode(upload());
    expect(message.image).toBeInstanceOf(Uint8Array);
    expect(message.image!.byteLength).toBe(256);
    expect([...message.image!]).toEqual([...ALL_BYTES]);
  });

  test('round-trips id, received_at and a non-ASCII description', () => {
    const description = 'Кот на окне 🐈‍⬛ — שלום — e\u0301';
    const message = uploadCodec.decode(upload({ description }));
    expect(message).toMatchObject({ id: ID, received_at: RECEIVED_AT, description });
  });

  test('decodes an image Buffer that sits at an offset inside a larger allocation', () => {
    const fields = upload();
    const pool = Buffer.alloc(300, 0xaa);
    pool.set(ALL_BYTES, 20);
    fields.image = pool.subarray(20, 276);
    expect([...uploadCodec.decode(fields).image!]).toEqual([...ALL_BYTES]);
  });

  test('accepts a received_at with a numeric offset', () => {
    expect(uploadCodec.decode(upload({ received_at: '2025-01-02T03:04:05+02:00' })).received_at).toBe('2025-01-02T03:04:05+02:00');
  });

  test.each(['id', 'description', 'received_at', 'image'])('refuses a message missing %s', (key) => {
    expectInvalid(() => uploadCodec.decode(without(upload(), key)));
  });

  test('names the offending field in the error', () => {
    expect(expectInvalid(() => uploadCodec.decode(without(upload(), 'received_at'))).message).toContain('received_at');
  });

  test.each([
    'not-a-uuid',
    '3F2B8C1E-9A4D-4E7F-8B21-0C5D6E7F8A9B',
    '3f2b8c1e9a4d4e7f8b210c5d6e7f8a9b',
    `${ID}x`,
    ` ${ID}`,
    '',
  ])('refuses a non-UUID id %p', (id) => {
    expectInvalid(() => uploadCodec.decode(upload({ id })));
  });

  test.each(['yesterday', '2025-01-02', '2025-01-02 03:04:05Z', '2025-01-02T03:04:05', '1735787045678', ''])(
    'refuses a bad received_at %p',
    (received_at) => {
      expectInvalid(() => uploadCodec.decode(upload({ received_at })));
    },
  );

  test('carries an image by its address (source_url) instead of bytes', () => {
    const message = uploadCodec.decode(without(upload({ source_url: 'https://img.example/cat.jpg' }), 'image'));
    expect(message.source_url).toBe('https://img.example/cat.jpg');
    expect(message.image).toBeUndefined();
  });

  test('refuses a message with both image and source_url, or with neither', () => {
    expect(expectInvalid(() => uploadCodec.decode(upload({ source_url: 'https://img.example/cat.jpg' }))).message).toContain(
      'it has both image and source_url',
    );
    expect(expectInvalid(() => uploadCodec.decode(without(upload(), 'image'))).message).toContain('it has neither');
  });

  test.each(['ftp://img.example/cat.jpg', 'img.example/cat.jpg', ''])('refuses a source_url that is not http(s) %p', (source_url) => {
    expectInvalid(() => uploadCodec.decode(without(upload({ source_url }), 'image')));
  });

  test('refuses an empty image', () => {
    expectInvalid(() => uploadCodec.decode(upload({ image: new Uint8Array(0) })));
  });

  test('refuses an empty description', () => {
    expectInvalid(() => uploadCodec.decode(upload({ description: '' })));
  });

  test('refuses a description beyond the garbage bound', () => {
    expectInvalid(() => uploadCodec.decode(upload({ description: 'x'.repeat(20_001) })));
  });

  test('carries operations as text and extra file parts as raw bytes, one field each', () => {
    const operations = '[{"op":"watermark","image":"logo"}]';
    const args = toFields({ id: ID, description: 'a cat', received_at: RECEIVED_AT, image: ALL_BYTES, operations, files: { logo: ALL_BYTES } });
    expect(args.filter((a) => typeof a === 'string' && a.startsWith('file:'))).toEqual(['file:logo']);
    const message = uploadCodec.decode(overRedis(args));
    expect(message.operations).toBe(operations);
    expect([...message.files!.logo!]).toEqual([...ALL_BYTES]);
  });

  test('leaves operations and files out when there are none', () => {
    const message = uploadCodec.decode(upload());
    expect(message.operations).toBeUndefined();
    expect(message.files).toBeUndefined();
  });

  test('refuses an empty extra file part and a part name that could not come from the API', () => {
    expectInvalid(() => uploadCodec.decode(upload({ 'file:logo': new Uint8Array(0) })));
    expectInvalid(() => uploadCodec.decode(upload({ 'file:../x': ALL_BYTES })));
  });

  test('refuses a value that is not a Buffer', () => {
    const fields = upload() as Record<string, unknown>;
    fields.image = 'not bytes';
    expectInvalid(() => uploadCodec.decode(fields as Fields));
  });
});

describe('captionedCodec', () => {
  test('round-trips the image bytes and the integer dimensions', () => {
    const message = captionedCodec.decode(captioned());
    expect([...message.image!]).toEqual([...ALL_BYTES]);
    expect(message.width).toBe(640);
    expect(message.height).toBe(480);
    expect(message).toMatchObject({ id: ID, description: 'a cat', received_at: RECEIVED_AT });
  });

  test.each(['id', 'description', 'received_at', 'image', 'width', 'height'])('refuses a message missing %s', (key) => {
    expectInvalid(() => captionedCodec.decode(without(captioned(), key)));
  });

  test.each(['abc', '1.5', '0', '-3', ''])('refuses a width of %p', (width) => {
    expectInvalid(() => captionedCodec.decode(captioned({ width })));
  });

  test('refuses a height that is not a number', () => {
    expect(expectInvalid(() => captionedCodec.decode(captioned({ height: 'tall' }))).message).toContain('height');
  });

  test('carries the output format; an older message without one still decodes', () => {
    expect(captionedCodec.decode(captioned({ format: 'webp' })).format).toBe('webp');
    expect(captionedCodec.decode(captioned()).format).toBeUndefined();
    expectInvalid(() => captionedCodec.decode(captioned({ format: 'bmp' })));
  });

  test('refuses an upload message, which lacks the dimensions', () => {
    expectInvalid(() => captionedCodec.decode(upload()));
  });
});

describe('batch membership on both streams', () => {
  const BATCH = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';

  test('an upload and its result carry the batch id; a single upload carries none', () => {
    expect(uploadCodec.decode(upload({ batch_id: BATCH })).batch_id).toBe(BATCH);
    expect(captionedCodec.decode(captioned({ batch_id: BATCH })).batch_id).toBe(BATCH);
    expect(uploadCodec.decode(upload()).batch_id).toBeUndefined();
  });

  test('refuses a batch id that is not a UUID', () => {
    expect(expectInvalid(() => uploadCodec.decode(upload({ batch_id: '../x' }))).message).toContain('batch_id');
    expectInvalid(() => captionedCodec.decode(captioned({ batch_id: 'nope' })));
  });
});

describe('the claim check: exactly one of image and image_key', () => {
  const KEY = `incoming/${ID}`;
  const byReference = (make: typeof upload) => without(make({ image_key: KEY }), 'image');

  test.each([
    ['upload', uploadCodec, upload],
    ['captioned', captionedCodec, captioned],
  ] as const)('a %s message may carry an object key instead of the bytes', (_, codec, make) => {
    const msg = codec.decode(byReference(make));
    expect(msg.image_key).toBe(KEY);
    expect(msg.image).toBeUndefined();
  });

  test.each([
    ['upload', uploadCodec, upload],
    ['captioned', captionedCodec, captioned],
  ] as const)('a %s message with neither is refused, saying so', (_, codec, make) => {
    const err = expectInvalid(() => codec.decode(without(make(), 'image')));
    expect(err.message).toContain('neither');
    expect(err.message).toContain('image_key');
  });

  test.each([
    ['upload', uploadCodec, upload],
    ['captioned', captionedCodec, captioned],
  ] as const)('a %s message with both is refused, saying so', (_, codec, make) => {
    const err = expectInvalid(() => codec.decode(make({ image_key: KEY })));
    expect(err.message).toContain('both');
  });

  test.each(['../etc/passwd', '/abs', 'a//b', '', `incoming/${ID} `])('refuses an image_key of %p, which kadr never makes', (key) => {
    expect(expectInvalid(() => uploadCodec.decode(without(upload({ image_key: key }), 'image'))).message).toContain('image_key');
  });
});
