import { expect, test } from 'bun:test';
import { command, text } from '../../shared/redis.ts';
import { killWhileHolding } from '../support/kill-holding.ts';
import { useSystem } from '../support/use-system.ts';
import { until } from '../support/wait.ts';

const CAT = await Bun.file(new URL('../fixtures/cat-640x480.jpg', import.meta.url)).bytes();
const COFFEE = await Bun.file(new URL('../fixtures/coffee-1920x1280.jpg', import.meta.url)).bytes();


// One delivery only: a processor killed while it holds a job has it dead-lettered (transiently) on its restart.
const ctx = useSystem({ processors: 1, env: { MAX_DELIVERIES: '1' } });

async function upload(image: Uint8Array, description: string, operations?: string): Promise<string> {
  const form = new FormData();
  form.append('image', new Blob([image as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' }));
  form.append('description', description);
  if (operations) form.append('operations', operations);
  const res = await fetch(`${ctx.system.baseUrl}/api/images`, { method: 'POST', body: form });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

/** The job's dead letter: its entry id and fields. */
async function letterOf(id: string): Promise<{ entryId: string; fields: Map<string, Buffer> } | undefined> {
  const raw = (await command(ctx.probe.redis, ['XRANGE', ctx.probe.k.dead, '-', '+'])) as Array<[Buffer, Buffer[]]>;
  for (const [entryId, pairs] of raw) {
    const fields = new Map<string, Buffer>();
    for (let i = 0; i + 1 < pairs.length; i += 2) fields.set(text(pairs[i]), pairs[i + 1]!);
    if (fields.get('id')?.toString() === id) return { entryId: text(entryId), fields };
  }
  return undefined;
}

const retry = (entryId: string) =>
  fetch(`${ctx.system.baseUrl}/api/admin/dead/${entryId}/retry`, { method: 'POST', headers: { 'content-type': 'application/json' } });

test('an upload whose header passes but whose body does not decode is dead-lettered without its bytes, and its retry is refused with 409 payload_dropped', async () => {
  const id = await upload(CAT.slice(0, CAT.length >> 1), 'junk body');
  expect((await ctx.system.waitForJob(id)).error?.code).toBe('image_undecodable');
  const letter = await letterOf(id);
  expect(letter).toBeDefined();
  expect(letter!.fields.has('image')).toBe(false);
  expect(letter!.fields.get('payload_dropped')?.toString()).toBe('1');
  expect(letter!.fields.get('description')?.toString()).toBe('junk body');
  expect(letter!.fields.get('error_code')?.toString()).toBe('image_undecodable');
  // The dead letters' counter charges only what the letter holds: far less than the half photo it dropped.
  expect(Number(String(await command(ctx.probe.redis, ['GET', `${ctx.probe.k.dead}:bytes`])))).toBeLessThan(2_000);
  const res = await retry(letter!.entryId);
  expect(res.status).toBe(409);
  expect(((await res.json()) as { error: { code: string } }).error.code).toBe('payload_dropped');
  // Refused, so the letter stays.
  expect(await letterOf(id)).toBeDefined();
}, 30_000);

test('a job dead-lettered for a transient reason keeps its image, and a retry of it ends done', async () => {
  // A large photo blurred hard: the processor holds it long enough to be killed with it in hand.
  const id = await upload(COFFEE, 'killed mid-job', '[{"op":"blur","sigma":40}]');
  await killWhileHolding(ctx.system, ctx.probe, 'processor-1', 'uploads', () => true, 1);
  await ctx.system.restart('processor-1', { sameConsumer: true });
  const failed = await ctx.system.waitForJob(id, 30_000);
  expect(failed.error?.code).toBe('too_many_deliveries');
  const letter = await letterOf(id);
  expect(letter!.fields.get('image')?.length).toBe(COFFEE.length);
  expect(letter!.fields.has('payload_dropped')).toBe(false);
  expect((await retry(letter!.entryId)).status).toBe(200);
  await until('the retried job done', async () => (await ctx.system.waitForJob(id, 30_000)).status === 'done', 60_000);
  expect(await letterOf(id)).toBeUndefined();
}, 120_000);
