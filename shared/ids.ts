import { NotFoundError } from './errors.ts';

/** A UUID as kadr writes them (lower case): jobs, batches; UUIDv7 for ids it makes. */
export const UUID_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';

const UUID = new RegExp(UUID_PATTERN);

/** Whether `value` is a UUID in kadr's spelling; false for anything else, undefined included. */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** What a path's id names, for the 404 of an id that cannot be one. */
export type IdKind = 'image' | 'batch';

/**
 * A path's id, lower-cased; anything that is not a UUID is an unknown
 * `kind` (404 not_found). Ids are matched before any lookup, so a path like
 * `../../etc/passwd` never reaches Redis, PostgreSQL or storage.
 */
export function requireUuid(kind: IdKind, raw: string): string {
  const id = raw.toLowerCase();
  if (!isUuid(id)) throw new NotFoundError(`no ${kind} with id "${raw}" (ids are UUIDs)`);
  return id;
}
