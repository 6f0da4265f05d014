import { expect } from 'bun:test';
import postgres from 'postgres';
import { pairsToFields } from '../../shared/queue/reply.ts';
import { command, text } from '../../shared/redis.ts';
import type { CheckedSystem } from './checked-system.ts';
import { Probe, type QueueState } from './probe.ts';
import { until } from './wait.ts';

export interface Outcome {
  /** Accepted ids, counting the uncertain ones that turned out to be queued. */
  accepted: number;
  /** Answered `outcome_unknown` yet queued after all; held to the same promise. */
  uncertainQueued: number;
  done: number;
  failed: number;
  /** How long the system took, after this was called, to finish every job. */
  settledMs: number;
}

function tally(values: Iterable<string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

/**
 * kadr's promise, checked for every accepted id: it ends `done` with exactly
 * one row in `images` and exactly one object `<id>.jpg` in the image store
 * (the size the row records, a JPEG, for the description that was posted), or
 * `failed` with a reason and no row, and beside it exactly one thumbnail
 * `<id>.thumb.jpg` (a JPEG the row records). Nothing else is stored: no row or object
 * for an id that was not accepted, no temporary file, no upload or result
 * left in the store once its job ended, except the object a failed job's dead
 * letter refers to (the claim check keeps it for a retry). The registry of
 * written objects holds exactly those references. Both streams end empty
 * with nothing pending. Waits up to `timeoutMs` for the system to settle.
 * `uncertain` uploads (answered `outcome_unknown`) count as accepted when
 * Redis has their job, and must have left nothing when it has not.
 */
export async function expectNothingLost(
  system: CheckedSystem,
  acceptedOnly: ReadonlyMap<string, string>,
  opts: { timeoutMs?: number; uncertain?: ReadonlyMap<string, string> } = {},
): Promise<Outcome> {
  const started = performance.now();
  const probe = await Probe.open(system);
  const { redis, k } = probe;
  const sql = postgres(system.databaseUrl, { max: 1, onnotice: () => {} });
  try {
    // Redis is back and settled what it executed: a job key says "queued".
    const uncertain = [...(opts.uncertain ?? new Map<string, string>())];
    const known = await probe.statuses(uncertain.map(([id]) => id));
    const queued = uncertain.filter(([id]) => known.get(id) !== 'missing');
    const accepted = new Map([...acceptedOnly, ...queued]);
    const ids = [...accepted.keys()];
    let status = new Map<string, string>();
    let queues: QueueState | undefined;
    await until(
      'every accepted job done or failed, both streams empty, nothing pending',
      async () => {
        status = await probe.statuses(ids);
        queues = await probe.queues();
        const settled = [...status.values()].every((s) => s === 'done' || s === 'failed');
        return settled && Object.values(queues).every((n) => n === 0);
      },
      opts.timeoutMs ?? 60_000,
      { intervalMs: 250, explain: () => JSON.stringify({ statuses: tally(status.values()), queues }) },
    );
    const settledMs = performance.now() - started;
    const done = ids.filter((id) => status.get(id) === 'done');
    const failed = ids.filter((id) => status.get(id) === 'failed');

    const rows = await sql<Array<{ id: string; description: string; path: string; bytes: number; thumbnail_path: string | null }>>`
      select id::text, description, path, bytes, thumbnail_path from images`;
    const rowsById = tally(rows.map((r) => r.id));
    // The primary key should make this impossible; the promise is checked, not assumed.
    expect(Object.keys(rowsById).filter((id) => rowsById[id]! > 1)).toEqual([]);
    expect(rows.filter((r) => !accepted.has(r.id)).map((r) => r.id)).toEqual([]);
    expect(done.filter((id) => !rowsById[id])).toEqual([]);
    expect(failed.filter((id) => rowsById[id])).toEqual([]);
    expect(rows.filter((r) => r.description !== accepted.get(r.id) || r.path !== `${r.id}.jpg`).map((r) => r.id)).toEqual([]);
    expect(rows.filter((r) => r.thumbnail_path !== `${r.id}.thumb.jpg`).map((r) => r.id)).toEqual([]);

    // Exactly the done ids' objects and the dead letters' references, and nothing else: no temporary, second or leftover object.
    const references = await deadLetterReferences(redis, k.dead, new Set(failed));
    const referenced = new Set(references.keys());
    // A job that failed because its object was missing refers to nothing there.
    const expectedObjects = new Set([...done.flatMap((id) => [`${id}.jpg`, `${id}.thumb.jpg`]), ...[...referenced].filter((key) => references.get(key) !== 'source_missing')]);
    let objects: string[] = [];
    let registered: string[] = [];
    // A processor deletes the upload it held by reference just after its hand-over, which may end after the job.
    await until(
      'the store holds exactly the expected objects, and the registry exactly the references',
      async () => {
        objects = await system.objects();
        registered = ((await command(redis, ['ZRANGE', k.objects, '0', '-1'])) as Buffer[]).map(text);
        return objects.length === expectedObjects.size && objects.every((f) => expectedObjects.has(f)) && registered.length === referenced.size;
      },
      10_000,
      { intervalMs: 250, explain: () => JSON.stringify({ unexpected: objects.filter((f) => !expectedObjects.has(f)), registered }) },
    ).catch(() => {});
    expect(objects.filter((f) => !expectedObjects.has(f))).toEqual([]);
    expect([...expectedObjects].filter((f) => !objects.includes(f))).toEqual([]);
    expect(registered.sort()).toEqual([...referenced].sort());
    const store = system.store();
    const badObjects: string[] = [];
    for (const r of rows) {
      const body = await store.get(r.path, { start: 0, end: 1 });
      const head = body ? new Uint8Array(await new Response(body.stream).arrayBuffer()) : new Uint8Array();
      if (body?.size !== Number(r.bytes) || head[0] !== 0xff || head[1] !== 0xd8) badObjects.push(r.path);
      const thumb = await store.get(`${r.id}.thumb.jpg`, { start: 0, end: 1 });
      const soi = thumb ? new Uint8Array(await new Response(thumb.stream).arrayBuffer()) : new Uint8Array();
      if (soi[0] !== 0xff || soi[1] !== 0xd8) badObjects.push(`${r.id}.thumb.jpg`);
    }
    expect(badObjects).toEqual([]);

    for (const id of failed) {
      const [code, message] = (await command(redis, ['HMGET', k.job(id), 'error_code', 'error_message'])) as Array<Buffer | null>;
      expect({ id, code: code && text(code), hasMessage: Boolean(message?.length) }).toEqual({ id, code: expect.any(String), hasMessage: true });
    }
    expect(Number(await command(redis, ['XLEN', k.dead]))).toBe(failed.length);
    return { accepted: ids.length, uncertainQueued: queued.length, done: done.length, failed: failed.length, settledMs };
  } finally {
    await Promise.allSettled([probe.close(), sql.end({ timeout: 1 })]);
  }
}

/** The object keys (`image_key`) that the dead letters of `failed` jobs refer to, each with the letter's error code. */
async function deadLetterReferences(redis: Probe['redis'], deadKey: string, failed: ReadonlySet<string>): Promise<Map<string, string>> {
  const entries = (await command(redis, ['XRANGE', deadKey, '-', '+'])) as Array<[Buffer, Buffer[]]>;
  const keys = new Map<string, string>();
  for (const [, pairs] of entries) {
    const fields = pairsToFields(pairs);
    const field = (name: string) => (name in fields ? text(fields[name]) : undefined);
    if ('image_key' in fields && failed.has(field('id') ?? '')) keys.set(field('image_key')!, field('error_code') ?? '');
  }
  return keys;
}
