import { describe, expect, test } from 'bun:test';
import sharp from 'sharp';
import { ImageDecodeError, isPermanent, OperationError, serializeError } from '../shared/errors.ts';
import { decodeFailure, isResourceFailure, stepFailure } from './failure-class.ts';
import { StepInputError } from './operations/types.ts';

const sysError = (code: string, message: string) => Object.assign(new Error(`${code}: ${message}`), { code });

/** The error sharp really throws for `bytes`. */
const sharpError = (bytes: Uint8Array) => sharp(bytes).raw().toBuffer().then(() => undefined, (e: unknown) => e);

describe('the processor failure class', () => {
  test('bytes libvips cannot decode are a permanent input fault', async () => {
    const cause = await sharpError(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]));
    expect(cause).toBeInstanceOf(Error);
    const err = decodeFailure(cause, 'the image could not be decoded');
    expect(err).toBeInstanceOf(ImageDecodeError);
    expect(isPermanent(err)).toBe(true);
  });

  test('a cut-short JPEG fails with one clear sentence; the raw libvips text, each line once, is kept as its detail', async () => {
    const cat = await Bun.file(new URL('../tests/fixtures/cat-640x480.jpg', import.meta.url)).bytes();
    const cause = await sharpError(cat.subarray(0, 200));
    expect(String((cause as Error).message).match(/premature end of JPEG image/g)?.length).toBeGreaterThan(1);
    const err = decodeFailure(cause, 'the image could not be decoded') as ImageDecodeError;
    expect(err.message).toBe('The image file is cut short or damaged and cannot be decoded.');
    expect(serializeError(err).detail).toStartWith('the image could not be decoded: ');
    expect(err.detail!.match(/premature end of JPEG image/g)?.length).toBe(1);
    expect(err.detail).toContain('Bogus Huffman table definition');
  });

  test('bytes that are not an image of a known kind fail with a clear sentence too', async () => {
    const cause = await sharpError(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10, 0, 0, 0, 13, 1, 2, 3]));
    const err = decodeFailure(cause, 'the upload is not an image that can be decoded');
    expect(err.message).toMatch(/^The file is damaged or is not an image kadr can read/);
    expect(err.message).not.toContain('Input buffer');
  });

  test.each([
    ['libvips out of memory', new Error('vips_malloc: out of memory --- size == 48MB')],
    ['libjpeg out of memory', new Error('VipsJpeg: Out of memory (allocation failed)')],
    ['file handles exhausted (errno code)', sysError('EMFILE', 'too many open files, open \'/tmp/x\'')],
    ['file handles exhausted system-wide', sysError('ENFILE', 'file table overflow')],
    ['temporary disk full', sysError('ENOSPC', 'no space left on device')],
    ['the JS heap out of memory', new RangeError('Out of memory')],
  ])('a decode that failed because %s is transient, keeping its message', (_what, cause) => {
    expect(isResourceFailure(cause)).toBe(true);
    const err = decodeFailure(cause, 'the image could not be decoded');
    expect(isPermanent(err)).toBe(false);
    expect(err).toBe(cause);
  });

  test('a step that cannot apply to this image is a permanent OperationError naming the step', () => {
    const err = stepFailure(new StepInputError('the rectangle reaches outside the image'), 'step 2/3 crop');
    expect(err).toBeInstanceOf(OperationError);
    expect(isPermanent(err)).toBe(true);
    expect(err.message).toBe('step 2/3 crop: the rectangle reaches outside the image');
  });

  test.each([
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'width')")],
    ['file handles exhausted', sysError('EMFILE', 'too many open files')],
    ['libvips out of memory', new Error('vips_malloc: out of memory')],
  ])('a step that failed because of %s is transient, its message naming the step', (_what, cause) => {
    const err = stepFailure(cause, 'step 1/1 blur');
    expect(isPermanent(err)).toBe(false);
    expect(err).not.toBeInstanceOf(OperationError);
    expect(err.message.startsWith('step 1/1 blur: ')).toBe(true);
  });

  test('an input fault found inside a step (its watermark image does not decode) stays permanent', () => {
    const cause = new ImageDecodeError('the watermark does not decode');
    expect(stepFailure(cause, 'step 1/1 watermark')).toBe(cause);
  });
});
