import { beforeAll, describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import sharp from 'sharp';
import { OperationError } from '../shared/errors.ts';
import { TEST_CAPTION_OPTIONS } from '../tests/support/operations.ts';
import { createCaptionRenderer } from './caption/renderer.ts';
import { parseSteps } from '../shared/operations/steps.ts';
import { createPipeline, type Pipeline } from './pipeline.ts';

let pipeline: Pipeline;
let cat: Uint8Array;
beforeAll(async () => {
  const renderer = await createCaptionRenderer(TEST_CAPTION_OPTIONS);
  pipeline = createPipeline(TEST_CAPTION_OPTIONS, renderer.drawing);
  cat = await Bun.file(join(import.meta.dir, '../tests/fixtures/cat-640x480.jpg')).bytes();
});

const run = (input: Uint8Array, json: string, onStep?: (label: string) => Promise<void>) =>
  pipeline(input, parseSteps(json), { description: 'a cat', files: {}, onStep });

const MAGIC: Record<string, (b: Buffer) => boolean> = {
  jpeg: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  png: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  webp: (b) => b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP',
  avif: (b) => b.toString('latin1', 4, 8) === 'ftyp' && b.toString('latin1', 8, 12) === 'avif',
};

describe('the step pipeline', () => {
  test.each(['jpeg', 'png', 'webp', 'avif'])('a format step encodes the result as %s, by its magic bytes', async (type) => {
    const out = await run(cat, `[{"op":"resize","width":64},{"op":"format","type":"${type}"}]`);
    expect(out.format).toBe(type as never);
    expect(MAGIC[type]!(out.bytes)).toBe(true);
    const meta = await sharp(out.bytes).metadata();
    expect([meta.width, meta.height]).toEqual([64, 48]);
  });

  test('without a format step the result is a JPEG', async () => {
    const out = await run(cat, '[{"op":"grayscale"}]');
    expect(out.format).toBe('jpeg');
    expect(MAGIC.jpeg!(out.bytes)).toBe(true);
  });

  test('a lower quality gives fewer bytes', async () => {
    const low = await run(cat, '[{"op":"format","type":"webp","quality":10}]');
    const high = await run(cat, '[{"op":"format","type":"webp","quality":95}]');
    expect(low.bytes.length).toBeLessThan(high.bytes.length / 2);
  });

  test('applies the EXIF orientation before the first step', async () => {
    // Stored 60x40, displayed (orientation 6) 40x60: a crop of the left 40x50 only fits the displayed one.
    const sideways = await sharp({ create: { width: 60, height: 40, channels: 3, background: '#808080' } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const out = await run(sideways, '[{"op":"crop","left":0,"top":0,"width":40,"height":50}]');
    expect([out.width, out.height]).toEqual([40, 50]);
    const plain = await run(sideways, '[{"op":"flip"}]');
    expect([plain.width, plain.height]).toEqual([40, 60]);
  });

  test('runs the steps in the order given: crop then resize is not resize then crop', async () => {
    const a = await run(cat, '[{"op":"crop","left":0,"top":0,"width":320,"height":240},{"op":"resize","width":100}]');
    const b = await run(cat, '[{"op":"resize","width":100},{"op":"crop","left":0,"top":0,"width":50,"height":50}]');
    expect([a.width, a.height]).toEqual([100, 75]);
    expect([b.width, b.height]).toEqual([50, 50]);
  });

  test('tells each step as it starts, by place and name', async () => {
    const seen: string[] = [];
    await run(cat, '[{"op":"rotate","angle":90},{"op":"grayscale"},{"op":"format","type":"png"}]', async (l) => {
      seen.push(l);
    });
    expect(seen).toEqual(['1/3 rotate', '2/3 grayscale', '3/3 format']);
  });

  test('a failing step fails permanently, its error naming the step', async () => {
    const err = await run(cat, '[{"op":"flip"},{"op":"crop","left":600,"top":0,"width":100,"height":100}]').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationError);
    expect((err as OperationError).code).toBe('operation_failed');
    expect((err as OperationError).permanent).toBe(true);
    expect((err as Error).message).toBe('step 2/2 crop: the rectangle 100x100 at 600,0 reaches outside the 640x480 image');
  });

  test('a caption step draws the description when given no text', async () => {
    const out = await run(cat, '[{"op":"caption"}]');
    expect(out.width).toBe(640);
    expect(out.height).toBeGreaterThan(480 + 20);
  });
});
