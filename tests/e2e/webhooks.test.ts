import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { Webhook } from 'standardwebhooks';
import { jsonSchemaOf } from '../support/openapi-conformance.ts';
import { command, connectRedis } from '../../shared/redis.ts';
import { freePort } from '../support/ports.ts';
import { silentLog } from '../support/redis.ts';
import { TestSystem } from '../support/system.ts';
import { until } from '../support/wait.ts';
import { WebhookReceiver, type ReceivedWebhook } from '../support/webhook-receiver.ts';

// Verified with the reference library (standardwebhooks), never with kadr's own signing code.
const SECRET = `whsec_${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64')}`;
const FIXTURES = new URL('../fixtures/', import.meta.url);
const photo = async () => new Blob([await Bun.file(new URL('cat-640x480.jpg', FIXTURES)).arrayBuffer()], { type: 'image/jpeg' });

let system: TestSystem;
let receiver: WebhookReceiver;
/** A port nothing listens on: a receiver that is down. */
let downPort: number;

interface Event {
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

const verified = (r: ReceivedWebhook): Event => new Webhook(SECRET).verify(r.body, r.headers) as Event;

async function upload(callbackUrl: string, image?: Blob): Promise<string> {
  const form = new FormData();
  form.append('image', image ?? (await photo()), 'photo.jpg');
  form.append('description', 'A cat waiting for a webhook');
  form.append('callback_url', callbackUrl);
  const res = await fetch(`${system.baseUrl}/api/images`, { method: 'POST', body: form });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

/** Checks an event against its schema in the served Swagger document (undeclared fields fail too). */
async function conforms(schema: 'ImageDoneEvent' | 'ImageFailedEvent' | 'BatchCompleteEvent', event: Event): Promise<void> {
  const doc = (await getJson('/swagger/json')) as { components: { schemas: Record<string, unknown> } };
  const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
  const validate = ajv.compile(jsonSchemaOf(doc.components.schemas[schema]) as object);
  expect(validate(event) ? 'conforms' : ajv.errorsText(validate.errors)).toBe('conforms');
}

const withoutVersion = ({ version: _, ...rest }: Record<string, unknown>) => rest;
const getJson = async (path: string) => (await (await fetch(`${system.baseUrl}${path}`)).json()) as Record<string, unknown>;

interface DeadLetter {
  entry_id: string;
  job_id: string | null;
  description: string | null;
  source: string;
  error: { code: string; message: string };
  deliveries: number;
}
const webhookDeadLetters = async () =>
  ((await getJson('/api/admin/dead?limit=500')) as unknown as DeadLetter[]).filter((d) => d.source.endsWith('stream:webhooks'));

const deliveriesTo = (path: string, count: number) =>
  until(`${count} deliveries to ${path}`, () => (receiver.at(path).length >= count ? receiver.at(path) : undefined), 60_000, {
    explain: () => JSON.stringify(receiver.at(path).map((r) => r.answered)),
  });

beforeAll(async () => {
  receiver = WebhookReceiver.start();
  downPort = await freePort();
  system = await TestSystem.start({
    env: {
      WEBHOOK_SECRET: SECRET,
      WEBHOOK_RETRY_SCHEDULE: '200ms,400ms',
      WEBHOOK_TIMEOUT_MS: '2000',
      SWEEP_INTERVAL_MS: '300',
      // The SSRF guard lets the tests' own receivers on loopback through.
      FETCH_ALLOW_NETWORKS: '127.0.0.1/32',
      FETCH_ALLOW_PORTS: `${receiver.port},${downPort}`,
    },
  });
}, 60_000);

afterAll(async () => {
  await system?.stop();
  await receiver?.stop();
}, 30_000);

describe('webhooks', () => {
  test('a receiver that answers 500 twice and then 200 sees three deliveries of image.done with one webhook-id, each validly signed', async () => {
    receiver.answer('/flaky', 500, 500);
    const id = await upload(receiver.url('/flaky'));
    const got = await deliveriesTo('/flaky', 3);
    expect(got.map((r) => r.answered)).toEqual([500, 500, 200]);
    expect(new Set(got.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(got[0]!.headers['webhook-id']).toMatch(/^msg_[0-9a-f-]{36}$/);
    const events = got.map(verified);
    expect(new Set(got.map((r) => r.body)).size).toBe(1);
    const status = await getJson(`/api/images/${id}/status`);
    expect(status.status).toBe('done');
    // The same fields as the status endpoint, but for `version`, which orders live status events.
    expect(events[0]).toEqual({ type: 'image.done', timestamp: status.updated_at as string, data: withoutVersion(status) });
    await conforms('ImageDoneEvent', events[0]!);
    await Bun.sleep(1000);
    expect(receiver.at('/flaky').length).toBe(3);
  }, 90_000);

  test('a receiver down for longer than the schedule ends in the dead letters, the job stays done, and a retry from there delivers it', async () => {
    const path = '/down';
    const id = await upload(`http://127.0.0.1:${downPort}${path}`);
    const dead = await until('the webhook dead letter', async () => (await webhookDeadLetters()).find((d) => d.error.code === 'webhook_failed'), 60_000);
    expect(dead.error.message).toContain('gave up after 3 deliveries');
    // It names no job (so a retry resets none); the dashboard says which event it is.
    expect(dead.job_id).toBeNull();
    expect(dead.description).toStartWith('webhook image.done msg_');
    expect((await getJson(`/api/images/${id}/status`)).status).toBe('done');
    // The receiver comes back; the dashboard's retry sends the same event again.
    const back = WebhookReceiver.start(downPort);
    try {
      const res = await fetch(`${system.baseUrl}/api/admin/dead/${dead.entry_id}/retry`, { method: 'POST', headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(200);
      const [delivery] = await until('the retried delivery', () => (back.at(path).length ? back.at(path) : undefined), 30_000);
      const event = verified(delivery!);
      expect(event.type).toBe('image.done');
      expect(event.data.id).toBe(id);
      expect((await getJson(`/api/images/${id}/status`)).status).toBe('done');
      expect((await webhookDeadLetters()).some((d) => d.entry_id === dead.entry_id)).toBe(false);
    } finally {
      await back.stop();
    }
  }, 90_000);

  test('a job that fails is announced image.failed with the status endpoint\'s fields', async () => {
    const bytes = await (await photo()).arrayBuffer();
    // The first 2 KiB of a real JPEG: its header passes the API's checks, decoding fails.
    const id = await upload(receiver.url('/failed'), new Blob([bytes.slice(0, 2048)], { type: 'image/jpeg' }));
    const [delivery] = await deliveriesTo('/failed', 1);
    const status = await getJson(`/api/images/${id}/status`);
    expect(status.status).toBe('failed');
    expect(verified(delivery!)).toEqual({ type: 'image.failed', timestamp: status.updated_at as string, data: withoutVersion(status) });
    await conforms('ImageFailedEvent', verified(delivery!));
  }, 90_000);

  test('a batch with a callback_url is announced once, batch.complete, with the batch endpoint\'s answer', async () => {
    const form = new FormData();
    form.append('image', await photo(), 'a.jpg');
    form.append('image', await photo(), 'b.jpg');
    form.append('description', 'Two cats');
    form.append('callback_url', receiver.url('/batch'));
    const res = await fetch(`${system.baseUrl}/api/batches`, { method: 'POST', body: form });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const [delivery] = await deliveriesTo('/batch', 1);
    const batch = await getJson(`/api/batches/${id}`);
    expect(batch.status).toBe('complete');
    expect(verified(delivery!)).toEqual({ type: 'batch.complete', timestamp: batch.completed_at as string, data: batch });
    await conforms('BatchCompleteEvent', verified(delivery!));
    // Its jobs carry no callback of their own, and the maintenance rounds queue no second event.
    await Bun.sleep(1000);
    expect(receiver.at('/batch').length).toBe(1);
  }, 90_000);

  test('a callback_url that is not an http(s) URL is refused with 422 before anything is queued', async () => {
    const form = new FormData();
    form.append('image', await photo(), 'photo.jpg');
    form.append('description', 'x');
    form.append('callback_url', 'ftp://example.com/hook');
    const res = await fetch(`${system.baseUrl}/api/images`, { method: 'POST', body: form });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_callback_url');
  });

  test('the Swagger document names callback_url on the upload, shortcut and batch endpoints, and the event payloads', async () => {
    type Doc = {
      paths: Record<string, { post?: { callbacks?: Record<string, unknown>; requestBody: { content: Record<string, { schema: { properties: Record<string, unknown> } }> } } }>;
      components: { schemas: Record<string, unknown> };
      tags: Array<{ name: string; description: string }>;
    };
    const doc = (await getJson('/swagger/json')) as unknown as Doc;
    for (const path of ['/api/images', '/api/crop', '/api/batches']) {
      expect(Object.keys(doc.paths[path]!.post!.requestBody.content['multipart/form-data']!.schema.properties)).toContain('callback_url');
      expect(Object.keys(doc.paths[path]!.post!.callbacks ?? {})).toHaveLength(1);
    }
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['ImageDoneEvent', 'ImageFailedEvent', 'BatchCompleteEvent']));
    expect(doc.tags.find((t) => t.name === 'webhooks')!.description).toContain('webhook-signature');
  });

  test('a callback_url the SSRF guard refuses is 422 callback_forbidden, and nothing is queued', async () => {
    const form = new FormData();
    form.append('image', await photo(), 'photo.jpg');
    form.append('description', 'x');
    form.append('callback_url', 'http://169.254.169.254/latest/meta-data');
    const res = await fetch(`${system.baseUrl}/api/images`, { method: 'POST', body: form });
    expect(res.status).toBe(422);
    const { error } = (await res.json()) as { error: { code: string; field: string } };
    expect(error).toMatchObject({ code: 'callback_forbidden', field: 'callback_url' });
  });

  test('a callback the guard refuses at delivery is dead-lettered at once as callback_forbidden, connecting to nothing, and the job stays done', async () => {
    // A saver that no longer allows the tests' loopback receiver (the API still does).
    await system.signal('saver', 'SIGKILL');
    system.spawn('saver', 'saver', { FETCH_ALLOW_NETWORKS: '', FETCH_ALLOW_PORTS: '' }, { consumer: system.service('saver').consumer });
    await system.waitForLog('saver', 'saver started', 20_000);
    try {
      const id = await upload(receiver.url('/refused'));
      const dead = await until('the refused webhook dead letter', async () => (await webhookDeadLetters()).find((d) => d.error.code === 'callback_forbidden'), 60_000);
      expect(dead.deliveries).toBe(1);
      expect(receiver.at('/refused')).toEqual([]);
      expect((await getJson(`/api/images/${id}/status`)).status).toBe('done');
    } finally {
      await system.signal('saver', 'SIGKILL');
      await system.restart('saver', { sameConsumer: true });
    }
  }, 90_000);

  test('a SIGKILL of the delivering saver mid-schedule loses no delivery', async () => {
    // A saver whose first retry waits seconds, so the kill surely falls between the two tries.
    await system.signal('saver', 'SIGKILL');
    const slow = system.spawn('saver', 'saver', { WEBHOOK_RETRY_SCHEDULE: '3s' }, { consumer: system.service('saver').consumer });
    await system.waitForLog('saver', 'saver started', 20_000);
    receiver.answer('/restart', 500);
    const id = await upload(receiver.url('/restart'));
    await deliveriesTo('/restart', 1);
    const redis = await connectRedis(system.env.REDIS_URL!, silentLog);
    try {
      const retries = `${system.env.KEY_PREFIX}webhooks:retries`;
      await until('the failed try parked for its retry', async () => Number(await command(redis, ['ZCARD', retries])) === 1, 10_000);
      await system.signal('saver', 'SIGKILL');
      expect(slow.proc.signalCode).toBe('SIGKILL');
      expect(receiver.at('/restart').length).toBe(1);
      await system.restart('saver', { sameConsumer: true });
      const got = await deliveriesTo('/restart', 2);
      expect(got.map((r) => r.answered)).toEqual([500, 200]);
      expect(new Set(got.map((r) => r.headers['webhook-id'])).size).toBe(1);
      for (const r of got) expect(verified(r).data.id).toBe(id);
      expect(Number(await command(redis, ['ZCARD', retries]))).toBe(0);
    } finally {
      await redis.close();
    }
  }, 90_000);
});
