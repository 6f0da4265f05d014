import { expect, test } from 'bun:test';
import { ApiError, retryAfterSeconds, withRetry } from './api-call.ts';

const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
  const response = new Response(JSON.stringify(body), { status, headers });
  return response.ok ? { data: body, response } : { error: body, response };
};
const queueFull = () => answer(503, { error: { code: 'queue_full', message: 'the queue is full' } }, { 'retry-after': '2' });

test('a 503 queue_full with Retry-After is waited out and the call made again', async () => {
  const answers = [queueFull(), queueFull(), answer(202, { id: 'x' })];
  const waited: number[] = [];
  const { data } = await withRetry(async () => answers.shift()!, { sleep: async (ms) => void waited.push(ms) });
  expect(data).toEqual({ id: 'x' });
  expect(waited).toEqual([2000, 2000]);
});

test('a 4xx is thrown at once with the API\'s code and message', async () => {
  let calls = 0;
  const refused = withRetry(async () => {
    calls++;
    return answer(422, { error: { code: 'too_long', message: 'description: expected at most 200 characters, got 201' } });
  });
  const err = (await refused.catch((e) => e)) as ApiError;
  expect(err).toBeInstanceOf(ApiError);
  expect(String(err)).toBe('422 too_long: description: expected at most 200 characters, got 201');
  expect(calls).toBe(1);
});

test('a 503 without Retry-After is not retried', async () => {
  const err = await withRetry(async () => answer(503, { error: { code: 'redis_unavailable', message: 'Redis is down' } })).catch((e) => e);
  expect((err as ApiError).code).toBe('redis_unavailable');
});

test('waiting stops after maxWaits answers asking to wait', async () => {
  let calls = 0;
  const err = await withRetry(async () => (calls++, queueFull()), { maxWaits: 3, sleep: async () => {} }).catch((e) => e);
  expect((err as ApiError).code).toBe('queue_full');
  expect(calls).toBe(4);
});

test('Retry-After is read as seconds or as a date, and capped at a minute', () => {
  expect(retryAfterSeconds(new Response(null, { headers: { 'retry-after': '5' } }))).toBe(5);
  expect(retryAfterSeconds(new Response(null, { headers: { 'retry-after': '3600' } }))).toBe(60);
  const soon = new Date(Date.now() + 10_000).toUTCString();
  expect(retryAfterSeconds(new Response(null, { headers: { 'retry-after': soon } }))).toBeGreaterThanOrEqual(9);
  expect(retryAfterSeconds(new Response(null))).toBeUndefined();
});
