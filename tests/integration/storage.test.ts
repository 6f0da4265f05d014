import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DependencyError } from '../../shared/errors.ts';
import { FileStore } from '../../shared/storage/file-store.ts';
import { S3Store } from '../../shared/storage/s3-store.ts';
import type { ObjectStore } from '../../shared/storage/store.ts';
import { S3Server } from '../support/s3-server.ts';

const bytes = (n: number, seed = 7) => Uint8Array.from({ length: n }, (_, i) => (i * seed + 3) & 0xff);

async function drain(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

let s3: S3Server;
let dir: string;
const stores: Record<string, () => ObjectStore> = {
  file: () => new FileStore(dir),
  s3: () => new S3Store(s3.storage('under/a-prefix')),
};

beforeAll(async () => {
  s3 = await S3Server.start();
  dir = await mkdtemp(join(tmpdir(), 'kadr-store-'));
}, 60_000);
afterAll(async () => {
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe.each(Object.keys(stores))('the %s store', (kind) => {
  const store = () => stores[kind]!();

  test('writes an object and reads it back whole, as a stream with its length, and by head', async () => {
    const data = bytes(70_000);
    await store().put(`${kind}-whole.jpg`, data, 'image/jpeg');
    expect(await store().read(`${kind}-whole.jpg`)).toEqual(data);
    const body = (await store().get(`${kind}-whole.jpg`))!;
    expect({ length: body.length, size: body.size }).toEqual({ length: 70_000, size: 70_000 });
    expect(await drain(body.stream)).toEqual(data);
    const info = (await store().head(`${kind}-whole.jpg`))!;
    expect(info.size).toBe(70_000);
    expect(info.etag).toMatch(/^"[^"]+"$/);
  });

  test('writes several objects at once, each whole, into one folder or several', async () => {
    const objects = [
      { key: `${kind}-many/a.jpg`, bytes: bytes(50_000, 3), contentType: 'image/jpeg' },
      { key: `${kind}-many/a.thumb.jpg`, bytes: bytes(9_000, 5), contentType: 'image/jpeg' },
      { key: `${kind}-other/b.png`, bytes: bytes(100, 11), contentType: 'image/png' },
    ];
    await store().putAll(objects);
    for (const o of objects) expect(await store().read(o.key)).toEqual(o.bytes);
    await store().putAll([]);
  });

  test('reads a byte range', async () => {
    const data = bytes(10_000, 13);
    await store().put(`${kind}-range.bin`, data, 'application/octet-stream');
    const body = (await store().get(`${kind}-range.bin`, { start: 100, end: 1099 }))!;
    expect({ length: body.length, size: body.size }).toEqual({ length: 1000, size: 10_000 });
    expect(await drain(body.stream)).toEqual(data.subarray(100, 1100));
  });

  test('answers null for an object that does not exist, and deleting one is no error', async () => {
    expect(await store().read(`${kind}-nothing`)).toBeNull();
    expect(await store().get(`${kind}-nothing`)).toBeNull();
    expect(await store().head(`${kind}-nothing`)).toBeNull();
    await store().delete(`${kind}-nothing`);
  });

  test('writing the same key again replaces the object (a redelivery leaves one)', async () => {
    await store().put(`incoming/${kind}-again`, bytes(500, 1), 'application/octet-stream');
    await store().put(`incoming/${kind}-again`, bytes(300, 2), 'application/octet-stream');
    expect(await store().read(`incoming/${kind}-again`)).toEqual(bytes(300, 2));
    await store().delete(`incoming/${kind}-again`);
    expect(await store().head(`incoming/${kind}-again`)).toBeNull();
  });

  test('streams an upload it never holds whole', async () => {
    const parts = [bytes(64 * 1024, 3), bytes(64 * 1024, 5), bytes(1000, 9)];
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = parts.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    await store().putStream(`archives/${kind}.zip`, body, 'application/zip', 'attachment; filename="b.zip"');
    expect((await store().head(`archives/${kind}.zip`))?.size).toBe(2 * 64 * 1024 + 1000);
  });

  test('refuses a key that could leave its folder or prefix', async () => {
    for (const key of ['../x', '/abs', 'a/../../b', '', 'a//b', '.hidden']) {
      await expect(store().put(key, bytes(1), 'x')).rejects.toThrow('invalid storage key');
    }
  });

  test('is ready when it answers', async () => {
    await store().check();
  });
});

test('the file store leaves no temporary file behind a write, and a half-written one is never the object', async () => {
  const store = new FileStore(dir);
  await store.put('atomic.jpg', bytes(1000), 'image/jpeg');
  const names = await readdir(dir, { recursive: true });
  expect(names.filter((n) => n.endsWith('.tmp'))).toEqual([]);
});

test('the file store writes into a folder removed since its last write, making it again', async () => {
  const store = new FileStore(dir);
  await store.put('gone/first.jpg', bytes(10), 'image/jpeg');
  await rm(join(dir, 'gone'), { recursive: true });
  await store.putAll([{ key: 'gone/second.jpg', bytes: bytes(20), contentType: 'image/jpeg' }]);
  expect(await store.read('gone/second.jpg')).toEqual(bytes(20));
});

test('the S3 store answers a presigned URL that fetches the object without credentials', async () => {
  const store = new S3Store(s3.storage());
  await store.put('signed.jpg', bytes(2000), 'image/jpeg');
  const url = store.presign('signed.jpg', { expiresInSeconds: 60 });
  expect(url).toContain('X-Amz-Expires=60');
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes(2000));
});

test('the S3 store keeps its objects under its prefix', async () => {
  const store = new S3Store(s3.storage('tenant-1'));
  await store.put('prefixed.jpg', bytes(10), 'image/jpeg');
  expect(await s3.keys('tenant-1/')).toContain('tenant-1/prefixed.jpg');
});

test('an unreachable or missing S3 store is a storage_unavailable dependency error, for readiness and for writes', async () => {
  const down = new S3Store({ ...s3.storage(), endpoint: 'http://127.0.0.1:1' });
  const noBucket = new S3Store({ ...s3.storage(), bucket: 'no-such-bucket' });
  for (const failing of [down.check(), down.put('x.jpg', bytes(1), 'image/jpeg'), noBucket.check(), noBucket.put('x.jpg', bytes(1), 'image/jpeg')]) {
    const err = await failing.then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(DependencyError);
    expect((err as DependencyError).code).toBe('storage_unavailable');
  }
});

test('the file store names an unwritable folder as storage_unavailable', async () => {
  const store = new FileStore('/proc/kadr-cannot-be-here');
  const err = await store.put('x.jpg', bytes(1), 'image/jpeg').then(() => undefined, (e: unknown) => e);
  expect((err as DependencyError).code).toBe('storage_unavailable');
});
