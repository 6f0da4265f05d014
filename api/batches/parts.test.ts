import { describe, expect, test } from 'bun:test';
import { ValidationError } from '../../shared/errors.ts';
import { matchPerImage } from './parts.ts';

describe('matching descriptions and operations to a batch\'s images', () => {
  test('no value leaves every image without one', () => {
    expect(matchPerImage([], 3, 'operations')).toEqual([undefined, undefined, undefined]);
  });

  test('one value serves every image and is named by the bare field', () => {
    expect(matchPerImage(['a cat'], 3, 'description')).toEqual([
      { value: 'a cat', field: 'description' },
      { value: 'a cat', field: 'description' },
      { value: 'a cat', field: 'description' },
    ]);
  });

  test('one value per image goes to the images in order, each named by its position', () => {
    expect(matchPerImage(['x', 'y', 'z'], 3, 'description')).toEqual([
      { value: 'x', field: 'description[0]' },
      { value: 'y', field: 'description[1]' },
      { value: 'z', field: 'description[2]' },
    ]);
  });

  test('any other count is refused as count_mismatch, saying what was expected and what arrived', () => {
    let error: unknown;
    try {
      matchPerImage(['x', 'y'], 3, 'description');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).code).toBe('count_mismatch');
    expect((error as ValidationError).field).toBe('description');
    expect((error as ValidationError).message).toBe('description: send one for all 3 images or one per image in the order of the images, got 2');
  });
});
