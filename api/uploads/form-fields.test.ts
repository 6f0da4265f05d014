import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError } from '../../shared/errors.ts';
import { formOf, type Part } from '../../tests/support/multipart.ts';
import { readBatch } from '../batches/read-batch.ts';
import { SHORTCUTS } from './shortcuts.ts';
import { readUpload, type UploadLimits } from './upload.ts';

// Forms as Swagger UI's "Try it out" sends them: `operations` as a JSON file
// part (its encoding says application/json), untouched optional fields as
// empty text fields.
const LIMITS: UploadLimits = { maxUploadBytes: 200_000, maxDescriptionLength: 200, maxInputPixels: 50_000_000 };
const JPEG = new Uint8Array(readFileSync(join(import.meta.dir, '..', '..', 'tests', 'fixtures', 'cat-640x480.jpg')));
const photo = (): Part => ['image', new Blob([JPEG], { type: 'image/jpeg' })];
const jsonPart = (json: string): Part => ['operations', new Blob([json], { type: 'application/json' }), 'blob'];
const request = (parts: Part[], path = '/api/images') => new Request(`http://kadr.test${path}`, { method: 'POST', body: formOf(parts) });
const shortcut = (path: string) => SHORTCUTS.find((s) => s.path === path)!;

async function refusal(promise: Promise<unknown>): Promise<ValidationError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return err as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

describe('operations as Swagger UI sends them', () => {
  test('a JSON file part is read as the pipeline, like a text field', async () => {
    const upload = await readUpload(request([photo(), ['description', 'x'], jsonPart('[{"op":"flip"}]')]), LIMITS);
    expect(JSON.parse(upload.operations!)).toEqual([{ op: 'flip' }]);
  });

  test('an invalid pipeline in a JSON file part is refused with the same message as in a text field', async () => {
    const err = await refusal(readUpload(request([photo(), ['description', 'x'], jsonPart('[{"op":"sepia"}]')]), LIMITS));
    expect([err.code, err.field]).toEqual(['invalid_operation', 'operations']);
    expect(err.message).toContain('operations[0].op: expected one of');
  });

  test('an empty operations field is no pipeline: the default caption', async () => {
    for (const empty of [['operations', ''] as Part, jsonPart('')]) {
      const upload = await readUpload(request([photo(), ['description', 'x'], empty]), LIMITS);
      expect(upload.operations).toBeUndefined();
    }
  });

  test('a batch takes its operations as JSON file parts too, and an empty one as none', async () => {
    const uploads = await readBatch(request([photo(), photo(), ['description', 'x'], jsonPart('[{"op":"flop"}]'), jsonPart('')], '/api/batches'), {
      ...LIMITS, maxImages: 5, maxBytes: 500_000,
    });
    expect(uploads.map((u) => u.operations && JSON.parse(u.operations))).toEqual([[{ op: 'flop' }], undefined]);
  });
});

describe('empty optional fields are left out', () => {
  test('a resize with only a width: the empty height is not sent', async () => {
    const upload = await readUpload(request([photo(), ['description', ''], ['width', '100'], ['height', ''], ['fit', '']], '/api/resize'), LIMITS, shortcut('/api/resize'));
    expect(JSON.parse(upload.operations!)).toEqual([{ op: 'resize', width: 100 }]);
    expect(upload.description).toBe('resize');
  });

  test('a watermark with only its text: the empty opacity, position and mark (an untouched file input) are not sent', async () => {
    const upload = await readUpload(request([photo(), ['description', ''], ['text', '© kadr'], ['opacity', ''], ['position', ''], ['mark', '']], '/api/watermark'), LIMITS, shortcut('/api/watermark'));
    expect(JSON.parse(upload.operations!)).toEqual([{ op: 'watermark', text: '© kadr' }]);
  });

  test('the required description of POST /api/images sent empty is still refused as blank', async () => {
    const err = await refusal(readUpload(request([photo(), ['description', '']]), LIMITS));
    expect([err.code, err.field]).toEqual(['blank', 'description']);
  });

  test('a resize whose fields are all empty is refused as having neither width nor height', async () => {
    const err = await refusal(readUpload(request([photo(), ['width', ''], ['height', '']], '/api/resize'), LIMITS, shortcut('/api/resize')));
    expect(err.message).toContain('width: give width, height or both');
  });
});
