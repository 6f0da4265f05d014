import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { JobEventHub } from '../../api/events/job-events.ts';
import { JobStore, type JobEvent } from '../../shared/jobs.ts';
import { connectRedis, type Redis } from '../../shared/redis.ts';
import { TEST_REDIS_URL } from '../support/namespace.ts';
import { redisNamespace, silentLog } from '../support/redis.ts';
import { until } from '../support/wait.ts';

let ns: Awaited<ReturnType<typeof redisNamespace>>;
let subscriber: Redis;
let hub: JobEventHub;
let jobs: JobStore;

beforeAll(async () => {
  ns = await redisNamespace();
  subscriber = await connectRedis(TEST_REDIS_URL, silentLog);
  hub = new JobEventHub(subscriber, ns.k.events, silentLog, LINGER_MS);
  jobs = new JobStore(ns.redis, ns.k, 3600);
});

afterAll(async () => {
  await hub?.close();
  await ns?.cleanup();
});

const LINGER_MS = 200;
const ID_A = '01a20000-0000-7000-8000-00000000000a';
const ID_B = '01a20000-0000-7000-8000-00000000000b';
// A job of its own for each test: statuses only move forward, so a job the first test failed takes no `done`.
const ID_C = '01a20000-0000-7000-8000-00000000000e';
const ID_D = '01a20000-0000-7000-8000-00000000000d';


describe('job status events', () => {
  test('every status written through the JobStore reaches the listeners of that job, in order, with the failure reason', async () => {
    const seen: JobEvent[] = [];
    const stop = hub.watch([ID_A], (e) => seen.push(e));
    await hub.listening();
    await jobs.set(ID_A, 'processing');
    const tx = ns.redis.multi();
    for (const c of jobs.commands(ID_A, 'failed', {}, { name: 'ImageDecodeError', code: 'image_undecodable', message: 'bad' })) tx.addCommand(c as never);
    await tx.exec();
    await until('two messages seen', () => seen.length === 2, 2000, { intervalMs: 5 });
    stop();
    expect(seen.map((e) => e.status)).toEqual(['processing', 'failed']);
    expect(seen[1]!.error).toEqual({ code: 'image_undecodable', message: 'bad' });
    expect(seen[1]!.updated_at).toBe((await jobs.get(ID_A))!.updated_at);
  });

  test('every status change carries the job\'s next version, the one its status then reads, whatever the writers\' clocks say', async () => {
    const id = '01a20000-0000-7000-8000-00000000000c';
    const seen: JobEvent[] = [];
    const stop = hub.watch([id], (e) => seen.push(e));
    await hub.listening();
    for (const status of ['queued', 'processing', 'saving', 'done'] as const) await jobs.set(id, status);
    await until('four messages seen', () => seen.length === 4, 2000, { intervalMs: 5 });
    stop();
    expect(seen.map((e) => [e.status, e.version])).toEqual([['queued', 1], ['processing', 2], ['saving', 3], ['done', 4]]);
    expect((await jobs.get(id))!.version).toBe(4);
  });

  test('listeners hear only their own jobs, and nothing once they stop; the hub forgets jobs nobody watches', async () => {
    const a: string[] = [];
    const b: string[] = [];
    const stopA = hub.watch([ID_C], (e) => a.push(e.status));
    const stopB = hub.watch([ID_B], (e) => b.push(e.status));
    await hub.listening();
    await jobs.set(ID_B, 'saving');
    await until('the second listener\'s event', () => b.length === 1, 2000, { intervalMs: 5 });
    stopB();
    await jobs.set(ID_B, 'done');
    await jobs.set(ID_C, 'done');
    await until('the first listener\'s event', () => a.length === 1, 2000, { intervalMs: 5 });
    expect(a).toEqual(['done']);
    expect(b).toEqual(['saving']);
    stopA();
    expect(hub.watched).toBe(0);
  });

  test('the hub is subscribed only while someone watches, and a page back within the linger keeps it', async () => {
    const subscribers = async () => Number(((await ns.redis.sendCommand(['PUBSUB', 'NUMSUB', ns.k.events])) as unknown[])[1]);
    await until('no subscription left from earlier tests', async () => (await subscribers()) === 0, 2000, { intervalMs: 20 });
    const stop = hub.watch([ID_A], () => {});
    await hub.listening();
    expect(await subscribers()).toBe(1);
    stop();
    // Back before the linger ends: still subscribed, and never dropped in between.
    const again = hub.watch([ID_B], () => {});
    await hub.listening();
    await Bun.sleep(LINGER_MS * 2);
    expect(await subscribers()).toBe(1);
    again();
    await until('unsubscribed after the linger', async () => (await subscribers()) === 0, 2000, { intervalMs: 20 });
    // Nobody subscribed: a status change costs this process nothing, and the next watcher still hears the next one.
    await jobs.set(ID_D, 'processing');
    const seen: string[] = [];
    const stopLast = hub.watch([ID_D], (e) => seen.push(e.status));
    await hub.listening();
    await jobs.set(ID_D, 'done');
    await until('the change after subscribing', () => seen.length === 1, 2000, { intervalMs: 5 });
    expect(seen).toEqual(['done']);
    stopLast();
  });
});
