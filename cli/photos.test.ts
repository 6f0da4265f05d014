import { expect, test } from 'bun:test';
import { OutputNames, readPhotos } from './photos.ts';

test('a result is named after its photo with the extension of what came back', () => {
  const names = new OutputNames('out');
  expect(names.next('tests/fixtures/cat-640x480.jpg', 'image/jpeg')).toBe('out/cat-640x480.jpg');
  expect(names.next('shots/holiday.jpeg', 'image/webp')).toBe('out/holiday.webp');
});

test('two photos of the same name from different folders do not overwrite each other', () => {
  const names = new OutputNames('out');
  expect(names.next('a/cat.jpg', 'image/jpeg')).toBe('out/cat.jpg');
  expect(names.next('b/cat.jpg', 'image/jpeg')).toBe('out/cat-2.jpg');
  expect(names.next('c/cat.png', 'image/jpeg')).toBe('out/cat-3.jpg');
});

test('a missing photo is named before anything is read or sent', async () => {
  const err = await readPhotos(['tests/fixtures/cat-640x480.jpg', 'nope/missing.jpg']).catch((e) => e as Error);
  expect(String(err)).toContain('no such photo: nope/missing.jpg');
});
