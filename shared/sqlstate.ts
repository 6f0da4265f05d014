/**
 * Whose fault a PostgreSQL error is, by its SQLSTATE class (the first two
 * characters of `err.code`, as postgres.js passes it on): the one place the
 * saver and the API decide whether a database error may fail a message.
 *
 * - `message`: the data this message carries cannot be stored, now or ever:
 *   class 22 (data exception: a value out of range, bad encoding) and class 23
 *   (integrity constraint). The unique conflict on the image id is no such
 *   error: the insert is idempotent (`on conflict (id) do nothing`), so a
 *   23505 that still arrives names another constraint, and is the data's.
 * - `system`: every other class is about the database, its state or its
 *   configuration, not about one message: connection (08), read-only after
 *   a failover (25006), authorization (28P01), missing database (3D000),
 *   privileges (42501), disk full or too many connections (53), lock timeout
 *   (55P03), cancelled or shutting down (57), internal errors (58, XX). These
 *   are waited out like an outage; a bug in a query (42601) is too, and shows
 *   on /readyz until it is fixed, which is better than failing every job.
 */
export type SqlFault = 'message' | 'system';

const MESSAGE_CLASSES = new Set(['22', '23']);

// Five characters, digits and capitals: postgres.js's own codes
// (CONNECTION_CLOSED, UNDEFINED_VALUE...) are words, never this shape.
const SQLSTATE = /^[0-9A-Z]{5}$/;

/** The SQLSTATE of a PostgreSQL error, or undefined for anything else. */
export function sqlStateOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && SQLSTATE.test(code) ? code : undefined;
}

/** Whose fault the error is, or undefined when it is not a PostgreSQL error with a SQLSTATE. */
export function sqlFault(err: unknown): SqlFault | undefined {
  const state = sqlStateOf(err);
  if (state === undefined) return undefined;
  return MESSAGE_CLASSES.has(state.slice(0, 2)) ? 'message' : 'system';
}
