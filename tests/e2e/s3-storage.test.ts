import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { TestSystem } from '../support/system.ts';
import { expectNothingLost } from '../support/nothing-lost.ts';

let system: TestSystem;
beforeAll(async () => {
  system = await TestSystem.start({ storage: 's3' });
}, 60_000);
afterAll(() => system?.stop());

describe('the pipeline with the S3 store', () => {
  test('an upload ends as one object and its thumbnail in the bucket, served by the API, and readiness includes the store', async () => {
    const form = new FormData();
    form.append('image', new Blob([await Bun.file(new URL('../fixtures/cat-640x480.jpg', import.meta.url)).arrayBuffer()], { type: 'image/jpeg' }), 'cat.jpg');
    form.append('description', 'Кот на солнце');
    const res = await fetch(`${system.baseUrl}/api/images`, { method: 'POST', body: form });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    expect((await system.waitForJob(id)).status).toBe('done');
    expect(await system.s3!.keys()).toEqual([`${id}.jpg`, `${id}.thumb.jpg`]);
    const image = await fetch(`${system.baseUrl}/api/images/${id}`);
    expect(image.status).toBe(200);
    const bytes = new Uint8Array(await image.arrayBuffer());
    expect([bytes[0], bytes[1]]).toEqual([0xff, 0xd8]);
    const ready = (await (await fetch(`${system.baseUrl}/readyz`)).json()) as Record<string, string>;
    expect(ready).toMatchObject({ status: 'ready', storage: 'ok' });
    await expectNothingLost(system, new Map([[id, 'Кот на солнце']]));
  });
});
