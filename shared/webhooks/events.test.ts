import { describe, expect, test } from 'bun:test';
import type { Entry } from '../queue/reply.ts';
import { failedJobWebhook, WebhookEvents, webhookEventId } from './events.ts';

const JOB = '0190a1b2-c3d4-7e5f-a6b7-c8d9e0f1a2b3';
const ERROR = { name: 'ImageDecodeError', code: 'image_undecodable', message: 'not an image' };
const entry = (fields: Record<string, string>): Entry => ({
  id: '1732350000000-0',
  deliveries: 1,
  fields: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, Buffer.from(v)])),
});

describe('webhook events', () => {
  test('an event id is derived from what happened: the same end gives the same id, another end another', () => {
    const id = webhookEventId('image.done', JOB, '1-0');
    expect(id).toMatch(/^msg_[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(webhookEventId('image.done', JOB, '1-0')).toBe(id);
    expect(webhookEventId('image.done', JOB, '2-0')).not.toBe(id);
    expect(webhookEventId('image.failed', JOB, '1-0')).not.toBe(id);
  });

  test('a job without a callback queues nothing; with one, one XADD carrying the body it will send', () => {
    const events = new WebhookEvents('p:stream:webhooks', 'https://kadr.example');
    const job = { id: JOB, received_at: '2026-12-01T10:00:00.000Z' };
    expect(events.imageDone(undefined, job, '2026-12-01T10:00:01.000Z', '1-0')).toEqual([]);
    const [xadd] = events.imageDone('https://hooks.example/x', job, '2026-12-01T10:00:01.000Z', '1-0');
    expect(xadd!.slice(0, 3)).toEqual(['XADD', 'p:stream:webhooks', '*']);
    const fields = Object.fromEntries(Array.from({ length: (xadd!.length - 3) / 2 }, (_, i) => [xadd![3 + 2 * i], xadd![4 + 2 * i]]));
    expect(Object.keys(fields)).not.toContain('id');
    expect(JSON.parse(String(fields.body))).toEqual({
      type: 'image.done',
      timestamp: '2026-12-01T10:00:01.000Z',
      data: { id: JOB, status: 'done', received_at: job.received_at, updated_at: '2026-12-01T10:00:01.000Z', image_url: `https://kadr.example/api/images/${JOB}` },
    });
    expect(fields.attempt).toBe('0');
  });

  test('a dead-lettered entry is announced only when it names a job and a well-formed callback', () => {
    const events = new WebhookEvents('k', '');
    const at = '2026-12-01T10:00:01.000Z';
    expect(failedJobWebhook(events, JOB, ERROR, at, entry({ id: JOB, callback_url: 'https://hooks.example/x' }))).toHaveLength(1);
    expect(failedJobWebhook(events, JOB, ERROR, at, entry({ id: JOB }))).toEqual([]);
    expect(failedJobWebhook(events, JOB, ERROR, at, entry({ id: JOB, callback_url: 'gopher://x' }))).toEqual([]);
    expect(failedJobWebhook(events, 'not-a-uuid', ERROR, at, entry({ callback_url: 'https://hooks.example/x' }))).toEqual([]);
  });
});
