import { text } from './redis.ts';

/**
 * A field/value reply as a plain object of strings, whichever shape it came
 * in: a flat array of pairs (RESP2) or a map (RESP3); numbers stay numbers.
 */
export function replyRecord(reply: unknown): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  const put = (k: unknown, v: unknown) => (out[text(k)] = typeof v === 'number' ? v : text(v));
  if (Array.isArray(reply)) for (let i = 0; i + 1 < reply.length; i += 2) put(reply[i], reply[i + 1]);
  else if (reply instanceof Map) for (const [k, v] of reply) put(k, v);
  else if (reply && typeof reply === 'object') for (const [k, v] of Object.entries(reply)) put(k, v);
  return out;
}

/** A reply's integer, or 0 when it is null (a missing key). */
export function replyNumber(reply: unknown): number {
  if (reply == null) return 0;
  const n = Number(typeof reply === 'number' ? reply : text(reply));
  return Number.isFinite(n) ? n : 0;
}
