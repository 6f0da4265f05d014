import { afterAll, beforeAll, expect, test } from 'bun:test';
import { JobStore } from '../../shared/jobs.ts';
import { redisNamespace } from '../support/redis.ts';

let ns: Awaited<ReturnType<typeof redisNamespace>>;
beforeAll(async () => {
  ns = await redisNamespace();
});
afterAll(() => ns.cleanup());

test('a status only moves forward: a late saving or processing never replaces done or failed, and only a reset sends a job back', async () => {
  const jobs = new JobStore(ns.redis, ns.k, 60);
  const id = crypto.randomUUID();
  for (const status of ['queued', 'processing', 'processing', 'saving', 'done'] as const) await jobs.set(id, status);
  for (const late of ['saving', 'processing', 'queued', 'failed', 'done'] as const) {
    await jobs.set(id, late);
    expect((await jobs.get(id))?.status).toBe('done');
  }
  const failed = crypto.randomUUID();
  await jobs.set(failed, 'processing');
  await jobs.set(failed, 'queued');
  expect((await jobs.get(failed))?.status).toBe('processing');
  const tx = ns.redis.multi();
  for (const c of jobs.commands(failed, 'failed', {}, { name: 'E', code: 'e', message: 'broken' })) tx.addCommand(c as never);
  await tx.exec();
  await jobs.set(failed, 'saving');
  expect((await jobs.get(failed))?.status).toBe('failed');
  const reset = ns.redis.multi();
  for (const c of jobs.resetCommands(failed)) reset.addCommand(c as never);
  await reset.exec();
  expect(await jobs.get(failed)).toMatchObject({ status: 'queued' });
  expect((await jobs.get(failed))?.error).toBeUndefined();
});
