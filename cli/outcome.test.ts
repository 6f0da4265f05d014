import { expect, test } from 'bun:test';
import { reasonOf, summary } from './outcome.ts';

test('the summary gives the counts, where the results went, and each failure with its reason', () => {
  const lines = summary({
    total: 3,
    done: 2,
    out: 'out',
    saved: ['out/a.jpg', 'out/b.jpg'],
    failures: [{ photo: 'c.jpg', reason: reasonOf({ code: 'image_undecodable', message: 'the image could not be decoded' }) }],
  });
  expect(lines).toEqual(['2 done, 1 failed, of 3', 'saved 2 files into out', 'failed:', '  c.jpg: image_undecodable: the image could not be decoded']);
});

test('one file saved (a batch ZIP) is named', () => {
  expect(summary({ total: 2, done: 2, out: 'out', saved: ['out/batch-1.zip'], failures: [] })).toEqual(['2 done, 0 failed, of 2', 'saved out/batch-1.zip']);
});

test('a failure without an error still reads as one', () => {
  expect(reasonOf(undefined)).toBe('failed without a reason');
});
