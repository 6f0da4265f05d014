import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KadrError, PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../../shared/errors.ts';
import { declaring } from '../../tests/support/images.ts';
import { formOf, type Part } from '../../tests/support/multipart.ts';
import { readBatch, type BatchLimits } from './read-batch.ts';

const LIMITS: BatchLimits = {
  maxUploadBytes: 200_000,
  maxDescriptionLength: 200,
  maxInputPixels: 50_000_000,
  maxImages: 5,
  maxBytes: 300_000,
};
const JPEG = new Uint8Array(readFileSync(join(import.meta.dir, '..', '..', 'tests', 'fixtures', 'cat-640x480.jpg')));
const photo = (): Part => ['image', new Blob([JPEG], { type: 'image/jpeg' })];
const request = (parts: Part[]) => new Request('http://kadr.test/api/batches', { method: 'POST', body: formOf(parts) });

async function rejection<E extends KadrError>(parts: Part[], cls: new (...args: never[]) => E, limits = LIMITS): Promise<E> {
  try {
    await readBatch(request(parts), limits);
  } catch (err) {
    expect(err).toBeInstanceOf(cls);
    return err as E;
  }
  throw new Error(`expected readBatch to throw ${cls.name}`);
}

describe('reading a batch', () => {
  test('one description and one pipeline serve every image, in upload order', async () => {
    const uploads = await readBatch(
      request([photo(), photo(), photo(), ['description', 'all'], ['operations', '[{"op":"grayscale"}]']]),
      LIMITS,
    );
    expect(uploads.map((u) => u.description)).toEqual(['all', 'all', 'all']);
    expect(uploads.map((u) => u.operations)).toEqual(Array(3).fill(uploads[0]!.operations));
    expect(uploads[0]!.contentType).toBe('image/jpeg');
  });

  test('one description and one pipeline per image go to the images in order', async () => {
    const uploads = await readBatch(
      request([
        photo(), photo(),
        ['description', 'first'], ['description', 'second'],
        ['operations', '[{"op":"grayscale"}]'], ['operations', '[{"op":"invert"}]'],
      ]),
      LIMITS,
    );
    expect(uploads.map((u) => u.description)).toEqual(['first', 'second']);
    expect(uploads.map((u) => JSON.parse(u.operations!)[0].op)).toEqual(['grayscale', 'invert']);
  });

  test('a watermark image part is shared by every image whose steps refer to it', async () => {
    const logo = new Blob([JPEG.slice()], { type: 'image/jpeg' });
    const uploads = await readBatch(
      request([photo(), photo(), ['description', 'd'], ['operations', '[{"op":"watermark","image":"logo"}]'], ['logo', logo, 'logo.jpg']]),
      LIMITS,
    );
    expect(uploads.map((u) => Object.keys(u.files ?? {}))).toEqual([['logo'], ['logo']]);
  });

  test('a bad image is named by its position from 0', async () => {
    const err = await rejection([photo(), ['image', new Blob(['plain text']), 'x.txt'], ['description', 'd']], UnsupportedMediaTypeError);
    expect(err.message).toStartWith('image[1]: ');
  });

  test('an image whose header declares too many pixels is named by its position', async () => {
    const bomb = new Blob([new Uint8Array(await declaring('jpeg', 20_000, 20_000))], { type: 'image/jpeg' });
    const err = await rejection([photo(), photo(), ['image', bomb], ['description', 'd']], ValidationError);
    expect([err.field, err.code]).toEqual(['image[2]', 'image_too_large']);
  });

  test('a bad step of one image\'s pipeline names the image and the step', async () => {
    const err = await rejection(
      [photo(), photo(), ['description', 'd'], ['operations', '[{"op":"grayscale"}]'], ['operations', '[{"op":"resize","width":"abc"}]']],
      ValidationError,
    );
    expect(err.field).toBe('operations[1]');
    expect(err.message).toStartWith('operations[1][0].width: ');
  });

  test('more images than the limit are refused as too_many_images', async () => {
    const err = await rejection([...Array(6)].map(photo).concat([['description', 'd']]), ValidationError);
    expect(err.code).toBe('too_many_images');
  });

  test('images over the batch\'s total bytes are refused with 413', async () => {
    const err = await rejection([photo(), photo(), ['description', 'd']], PayloadTooLargeError, { ...LIMITS, maxBytes: JPEG.length + 10 });
    expect(err.message).toContain(`at most ${JPEG.length + 10}`);
  });

  test('a batch without images or without a description is refused as missing_field', async () => {
    expect((await rejection([['description', 'd']], ValidationError)).field).toBe('image');
    expect((await rejection([photo()], ValidationError)).field).toBe('description');
  });
});

describe('a batch of files and addresses', () => {
  test('urls and image parts mix, taken in the order they appear, with per-image descriptions in that order', async () => {
    const uploads = await readBatch(
      request([photo(), ['url', 'https://img.example/1.jpg'], photo(), ['description', 'a'], ['description', 'b'], ['description', 'c']]),
      LIMITS,
    );
    expect(uploads.map((u) => [u.image ? 'file' : u.source!.url, u.description])).toEqual([
      ['file', 'a'],
      ['https://img.example/1.jpg', 'b'],
      ['file', 'c'],
    ]);
    expect(uploads[1]!.source!.field).toBe('url[1]');
  });

  test('a bad url names its place in the batch', async () => {
    const err = await rejection([photo(), ['url', 'gopher://img.example/1.jpg'], ['description', 'x']], ValidationError);
    expect([err.field, err.code]).toEqual(['url[1]', 'invalid_url']);
  });

  test('urls count towards the image limit', async () => {
    const urls: Part[] = Array.from({ length: 6 }, (_, i) => ['url', `https://img.example/${i}.jpg`]);
    const err = await rejection([...urls, ['description', 'x']], ValidationError);
    expect(err.code).toBe('too_many_images');
  });
});
