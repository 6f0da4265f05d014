import { expect } from 'bun:test';
import { command, text } from '../../shared/redis.ts';
import { replyRecord } from '../../shared/redis-reply.ts';
import { statsKeys } from '../../shared/stats/layout.ts';
import type { Probe } from './probe.ts';

/**
 * Nothing was done twice, by the system's own counts: stats count one `done`
 * per done job, and stream 2 was added to once per job (XINFO's
 * entries-added counts entries since deleted too).
 */
export async function expectCountedOnce(probe: Probe, jobs: number, done: number): Promise<void> {
  const totals = statsKeys(probe.k.stats).totals;
  const counted = await command(probe.redis, ['HGET', totals, 'done']);
  const info = replyRecord(await command(probe.redis, ['XINFO', 'STREAM', probe.k.captioned]));
  expect({ statsDone: Number(counted == null ? 0 : text(counted)), handedOver: Number(info['entries-added']) }).toEqual({ statsDone: done, handedOver: jobs });
}
