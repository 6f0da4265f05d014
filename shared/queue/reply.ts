import type { Fields } from '../messages.ts';

/** One stream entry as a consumer sees it; `fields` is null when the entry was deleted. */
export interface Entry {
  id: string;
  fields: Fields | null;
  deliveries: number;
}

type RawEntry = [Buffer, Buffer[] | null];

/** Field/value pairs to a map; keys are ASCII names, values stay Buffers. */
export function pairsToFields(pairs: Buffer[]): Fields {
  const out: Fields = {};
  for (let i = 0; i + 1 < pairs.length; i += 2) out[pairs[i]!.toString('utf8')] = pairs[i + 1]!;
  return out;
}

export function parseEntries(raw: unknown): Array<{ id: string; fields: Fields | null }> {
  if (!Array.isArray(raw)) return [];
  return (raw as RawEntry[]).map(([id, pairs]) => ({
    id: id.toString('utf8'),
    fields: pairs ? pairsToFields(pairs) : null,
  }));
}

/**
 * XREADGROUP answers a map (RESP3) or an array of [key, entries] (RESP2), or
 * null when nothing arrived; this reads the single stream we asked for.
 */
export function parseReadGroup(raw: unknown): Array<{ id: string; fields: Fields | null }> {
  if (raw == null) return [];
  if (Array.isArray(raw)) return raw.length ? parseEntries((raw[0] as [unknown, unknown])[1]) : [];
  const values = raw instanceof Map ? [...raw.values()] : Object.values(raw as object);
  return values.length ? parseEntries(values[0]) : [];
}
