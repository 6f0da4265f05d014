import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createHash } from 'node:crypto';
import { command, connectRedis, type Redis } from '../../shared/redis.ts';
import { Footprint } from '../support/footprint.ts';
import { silentLog } from '../support/redis.ts';
import { formOf } from '../support/multipart.ts';
import { TestSystem } from '../support/system.ts';

const CAT = await Bun.file(new URL('../fixtures/cat-640x480.jpg', import.meta.url)).bytes();
const ROCKET = await Bun.file(new URL('../fixtures/rocket-480x640.jpg', import.meta.url)).bytes();
let system: TestSystem;
let footprint: Footprint;
let redis: Redis;

interface Accepted {
  id: string;
  status: string;
  received_at: string;
  status_url: string;
  image_url: string;
}

function post(key: string | undefined, description = 'same upload', image = CAT): Promise<Response> {
  const body = formOf([['image', new Blob([image], { type: 'image/jpeg' })], ['description', description]]);
  return fetch(`${system.baseUrl}/api/images`, { method: 'POST', body, headers: key === undefined ? {} : { 'idempotency-key': key } });
}

const uploadsAdded = async () => (await footprint.take()).added.uploads;
const jobKeys = async () => (await footprint.take()).keys.filter((k) => k.includes(':job:')).length;

beforeAll(async () => {
  // No processor until the end, so every stream entry and job stays countable.
  system = await TestSystem.start({ processors: 0, env: { IDEMPOTENCY_TTL_SECONDS: '3600' } });
  footprint = await Footprint.open(system);
  redis = await connectRedis(system.env.REDIS_URL!, silentLog);
}, 60_000);

afterAll(async () => {
  await footprint?.close();
  await redis?.close();
  await system?.stop();
});

describe('Idempotency-Key on POST /api/images', () => {
  test('the same key twice gives the same id and body, marked replayed, with one job and one stream entry', async () => {
    const [addedBefore, jobsBefore] = [await uploadsAdded(), await jobKeys()];
    const first = await post('order-1');
    const again = await post('order-1');
    expect([first.status, again.status]).toEqual([202, 202]);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    expect(again.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await again.json()) as Accepted).toEqual((await first.json()) as Accepted);
    expect(await uploadsAdded()).toBe(addedBefore + 1);
    expect(await jobKeys()).toBe(jobsBefore + 1);
  });

  test('is kept under the prefix by the sha256 of the key, for IDEMPOTENCY_TTL_SECONDS', async () => {
    expect((await post('ttl-check')).status).toBe(202);
    const hash = createHash('sha256').update('ttl-check').digest('hex');
    const redisKey = `${system.env.KEY_PREFIX}idem:${hash}`;
    expect((await footprint.take()).keys).toContain(redisKey);
    const ttl = Number(await command(redis, ['TTL', redisKey]));
    expect(ttl).toBeGreaterThan(3590);
    expect(ttl).toBeLessThanOrEqual(3600);
  });

  test('five concurrent requests with one key make one job, and all five get its id', async () => {
    const added = await uploadsAdded();
    const answers = await Promise.all(Array.from({ length: 5 }, () => post('order-concurrent')));
    expect(answers.map((r) => r.status)).toEqual([202, 202, 202, 202, 202]);
    const ids = await Promise.all(answers.map(async (r) => ((await r.json()) as Accepted).id));
    expect(new Set(ids).size).toBe(1);
    expect(answers.filter((r) => r.headers.get('idempotent-replayed') === null).length).toBe(1);
    expect(await uploadsAdded()).toBe(added + 1);
  });

  test('the same key with another description or image is refused with 422 idempotency_key_reused', async () => {
    expect((await post('order-2', 'first description')).status).toBe(202);
    const added = await uploadsAdded();
    for (const res of [await post('order-2', 'another description'), await post('order-2', 'first description', ROCKET)]) {
      expect(res.status).toBe(422);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('idempotency_key_reused');
    }
    expect(await uploadsAdded()).toBe(added);
  });

  test('a bad key is refused with 400 invalid_idempotency_key and enqueues nothing', async () => {
    const added = await uploadsAdded();
    const res = await post('x'.repeat(300));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'invalid_idempotency_key' });
    expect(await uploadsAdded()).toBe(added);
  });

  test('a refused upload does not use its key up: the corrected retry is enqueued', async () => {
    expect((await post('order-3', '   ')).status).toBe(422);
    const retry = await post('order-3', 'now with a description');
    expect(retry.status).toBe(202);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
  });

  test('without a key, the same upload sent twice is two jobs', async () => {
    const added = await uploadsAdded();
    const a = (await (await post(undefined)).json()) as Accepted;
    const b = (await (await post(undefined)).json()) as Accepted;
    expect(a.id).not.toBe(b.id);
    expect(await uploadsAdded()).toBe(added + 2);
  });

  test('once a processor comes, the one job is captioned, and a replay still answers its id', async () => {
    const first = (await (await post('order-4', 'processed once')).json()) as Accepted;
    system.spawn('processor');
    await system.waitForLog('processor', 'processor started', 20_000);
    expect((await system.waitForJob(first.id)).status).toBe('done');
    const replay = await post('order-4', 'processed once');
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(((await replay.json()) as Accepted).id).toBe(first.id);
    const { rows } = await footprint.take();
    const list = (await (await fetch(`${system.baseUrl}/api/images?limit=500`)).json()) as Array<{ description: string }>;
    expect(list.filter((i) => i.description === 'processed once').length).toBe(1);
    expect(rows).toBe(list.length);
  });

  test('the OpenAPI document describes the header, the replay marker and the key\'s errors', async () => {
    const doc = (await (await fetch(`${system.baseUrl}/swagger/json`)).json()) as {
      paths: { '/api/images': { post: { parameters: Array<{ name: string; in: string }>; responses: Record<string, { description: string; headers?: object }> } } };
    };
    const upload = doc.paths['/api/images'].post;
    expect(upload.parameters).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key', in: 'header' }));
    expect(Object.keys(upload.responses['202']!.headers ?? {})).toContain('Idempotent-Replayed');
    expect(upload.responses['400']!.description).toContain('invalid_idempotency_key');
    expect(upload.responses['409']!.description).toContain('idempotency_key_in_use');
    expect(upload.responses['422']!.description).toContain('idempotency_key_reused');
    expect(upload.responses['422']!.description).toContain('image_too_large');
  });
});
