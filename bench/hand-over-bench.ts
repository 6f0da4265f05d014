/**
 * The cost of the ownership-checked hand-over against the plain MULTI it
 * replaced, on the local Redis: N hand-overs of a processor's usual load
 * (a ~60 KB result XADDed to the next stream, the status, the stats, the
 * ack), one at a time, each way. `bun bench/hand-over-bench.ts [N]`.
 */
import pino from 'pino';
import { JobStore } from '../shared/jobs.ts';
import { Claim } from '../shared/queue/claim.ts';
import { handOver } from '../shared/queue/hand-over.ts';
import { keys } from '../shared/queue/keys.ts';
import { StreamQueue, type Command } from '../shared/queue/stream.ts';
import { command, connectRedis } from '../shared/redis.ts';
import { WorkerStats } from '../shared/stats/worker-stats.ts';

const N = Number(process.argv[2] ?? 2000);
const log = pino({ level: 'silent' });
const redis = await connectRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', log);
const prefix = `bench-hand-over-${process.pid}:`;
const k = keys(prefix);
const jobs = new JobStore(redis, k, 60);
const stats = new WorkerStats(k, 'bench');
const image = Buffer.alloc(60_000, 7);

async function run(way: 'multi' | 'script'): Promise<number[]> {
  const q = new StreamQueue(redis, `${k.uploads}:${way}`, 'g');
  await q.ensureGroup();
  for (let i = 0; i < N; i++) await command(redis, ['XADD', q.key, '*', 'id', `job-${i}`]);
  await command(redis, ['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', String(N), 'STREAMS', q.key, '>']);
  const ids = ((await command(redis, ['XRANGE', q.key, '-', '+'])) as Array<[Buffer]>).map(([id]) => id.toString());
  const times: number[] = [];
  for (const [i, id] of ids.entries()) {
    const commands: Command[] = [
      ['XADD', `${k.captioned}:${way}`, '*', 'id', `job-${i}`, 'image', image],
      ...jobs.commands(`${way}-${i}`, 'saving'),
      ...stats.handled('render', 12.3),
    ];
    const t = performance.now();
    if (way === 'script') {
      await handOver(new Claim(q, 'c', id, 60_000, log), commands, log);
    } else {
      const tx = redis.multi();
      for (const c of [...commands, ...q.ackCommands(id)]) tx.addCommand(c as never);
      await tx.exec();
    }
    times.push(performance.now() - t);
  }
  return times;
}

const summary = (t: number[]) => {
  const s = [...t].sort((a, b) => a - b);
  const mean = t.reduce((a, b) => a + b, 0) / t.length;
  return { mean_ms: +mean.toFixed(3), p50_ms: +s[Math.floor(s.length / 2)]!.toFixed(3), p99_ms: +s[Math.floor(s.length * 0.99)]!.toFixed(3) };
};
try {
  for (const round of [1, 2]) {
    const multi = await run('multi');
    const script = await run('script');
    console.log(JSON.stringify({ round, n: N, multi: summary(multi), script: summary(script) }));
    await command(redis, ['DEL', `${k.uploads}:multi`, `${k.uploads}:script`, `${k.captioned}:multi`, `${k.captioned}:script`]);
  }
} finally {
  let cursor = '0';
  do {
    const [next, found] = (await command(redis, ['SCAN', cursor, 'MATCH', `${prefix}*`, 'COUNT', '1000'])) as [Buffer, Buffer[]];
    cursor = next.toString();
    if (found.length) await command(redis, ['DEL', ...found]);
  } while (cursor !== '0');
  await redis.close();
}
