import { describe, expect, test } from 'bun:test';
import { archiveName, failedText } from './archive.ts';
import type { BatchJob } from '../../shared/batches/snapshot.ts';

const ID = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';

describe('archive names', () => {
  test('number images from 001 in upload order and keep the stored extension', () => {
    expect(archiveName(0, 20, ID, `${ID}.jpg`)).toBe(`001-${ID}.jpg`);
    expect(archiveName(19, 20, ID, `${ID}.webp`)).toBe(`020-${ID}.webp`);
  });

  test('widen the number when a batch has more than 999 images', () => {
    expect(archiveName(6, 1000, ID, `${ID}.png`)).toBe(`0007-${ID}.png`);
  });
});

describe('failed.txt', () => {
  const job = (index: number, status: BatchJob['status'], error?: BatchJob['error']): BatchJob => ({ index, id: `${ID.slice(0, -1)}${index}`, status, error });

  test('is absent when no job failed', () => {
    expect(failedText([job(0, 'done'), job(1, 'done')], 2)).toBeUndefined();
  });

  test('lists each failure on one line: position, job id, code and reason, tab-separated, after a header', () => {
    const text = failedText(
      [job(0, 'done'), job(1, 'failed', { code: 'image_undecodable', message: 'the image cannot be decoded' }), job(2, 'done'),
        job(3, 'failed', { code: 'operation_failed', message: 'step 1/1 crop:\nthe rectangle\treaches outside' })],
      4,
    )!;
    const lines = text.split('\n');
    expect(lines[0]).toBe('# position\tjob id\tcode\treason');
    expect(lines[1]).toBe(`002\t${ID.slice(0, -1)}1\timage_undecodable\tthe image cannot be decoded`);
    expect(lines[2]).toBe(`004\t${ID.slice(0, -1)}3\toperation_failed\tstep 1/1 crop: the rectangle reaches outside`);
    expect(lines.slice(3)).toEqual(['']);
  });
});
