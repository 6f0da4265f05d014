import type { Sql } from '../shared/db.ts';
import { DependencyError } from '../shared/errors.ts';
import { OUTPUT_FORMATS, type OutputFormat } from '../shared/formats.ts';
import type { Fields } from '../shared/messages.ts';
import { isUuid } from '../shared/ids.ts';
import { isUnavailable } from '../shared/unavailable.ts';
import { resultKey, thumbnailFormatOf, thumbnailKey } from '../shared/storage/object-keys.ts';
import type { ObjectStore } from '../shared/storage/store.ts';

/**
 * Removes what saving a stream 2 entry may have left before it is
 * dead-lettered: its object (written before the row) and its row (an earlier
 * delivery may have inserted it and died before the ack), and its thumbnail. A failed job
 * leaves nothing behind that the sweeper, which only knows rows, would never
 * find. Works from the raw fields, since the entry may not even decode; an
 * outage of the disk or database is waited out like any other.
 */
export async function discardSaved(sql: Sql, store: ObjectStore, fields: Fields): Promise<void> {
  const id = fields.id?.toString('utf8');
  if (!isUuid(id)) return;
  const named = fields.format?.toString('utf8');
  const format: OutputFormat = named && named in OUTPUT_FORMATS ? (named as OutputFormat) : 'jpeg';
  try {
    await sql`delete from images where id = ${id}`;
  } catch (err) {
    if (isUnavailable('postgres', err)) throw new DependencyError('PostgreSQL is unavailable', { code: 'database_unavailable', cause: err });
    throw err;
  }
  // The thumbnail always travels inline: it is this saver's own copy, and a retry writes it again.
  await store.delete(thumbnailKey(id, thumbnailFormatOf(fields.thumbnail_format?.toString('utf8'))));
  // A result held by reference is what the dead letter refers to: a retry
  // needs it, and a discard (or, once the job is forgotten, the orphan sweep)
  // deletes it. An inline result's object is this saver's own copy.
  if (fields.image_key) return;
  // A store failure is already a DependencyError (storage_unavailable), waited out.
  await store.delete(resultKey(id, format));
}
