import type { Sql } from '../../shared/db.ts';
import { GoneError } from '../../shared/errors.ts';
import { calling } from '../../shared/unavailable.ts';
import { SECURITY_HEADERS } from '../http-errors.ts';

/**
 * How long a presigned link may live (STORAGE_REDIRECT=presigned):
 * PRESIGN_TTL_SECONDS, cut to what is left of the batch the object belongs
 * to (or of a single upload, with IMAGE_TTL_SECONDS), so a link never
 * outlives the objects the expiry sweeper deletes. What
 * is left is computed by PostgreSQL (`expires_at - now()`), whose clock the
 * expiry is recorded by, never by this host's.
 *
 * A batch whose completion is not recorded yet has no `expires_at`; it will
 * be the completion plus BATCH_TTL_SECONDS. For an image, the completion is
 * no earlier than the image's own save, which bounds it; for the archive it
 * is the completion the snapshot read from Redis.
 */

/** At most `ttlSeconds`, whole seconds; `seconds` null when no batch bounds it. */
function remaining(seconds: number | null, ttlSeconds: number, what: string): number {
  if (seconds === null) return ttlSeconds;
  const left = Math.floor(Math.min(ttlSeconds, seconds));
  // Past its expiry but not swept yet: a link of no time at all cannot be made.
  if (left < 1) throw new GoneError(`${what} has expired and is being deleted`);
  return left;
}

export interface ImageLifetimes {
  /** PRESIGN_TTL_SECONDS. */
  presignTtlSeconds: number;
  /** BATCH_TTL_SECONDS. */
  batchTtlSeconds: number;
  /** IMAGE_TTL_SECONDS: a single upload is deleted that long after its save; undefined keeps it. */
  imageTtlSeconds: number | undefined;
}

/**
 * For image `id`: cut to its batch's expiry, or for a single upload to its
 * save plus IMAGE_TTL_SECONDS when that is set. GoneError once its batch has
 * expired (or, for a single upload, once it is due to be swept).
 */
export async function imageLinkSeconds(sql: Sql, id: string, t: ImageLifetimes): Promise<number> {
  const [row] = await calling('postgres', sql<{ seconds: number | null; expired: boolean }[]>`
    select extract(epoch from
             case when i.batch_id is null then i.saved_at + make_interval(secs => ${t.imageTtlSeconds ?? null}::int)
                  else coalesce(b.expires_at, i.saved_at + make_interval(secs => ${t.batchTtlSeconds})) end
             - now())::float8 as seconds,
           b.expired_at is not null as expired
      from images i left join batches b on b.id = i.batch_id
     where i.id = ${id}`);
  if (row?.expired) throw new GoneError(`the batch of image "${id}" has expired`);
  return remaining(row?.seconds ?? null, t.presignTtlSeconds, `image "${id}"`);
}

/** For the archive of batch `id`, complete since `completedAt`. GoneError once the batch has expired. */
export async function archiveLinkSeconds(
  sql: Sql,
  id: string,
  completedAt: string,
  ttlSeconds: number,
  batchTtlSeconds: number,
): Promise<number> {
  const [row] = await calling('postgres', sql<{ seconds: number; expired: boolean }[]>`
    select extract(epoch from coalesce(expires_at, ${completedAt}::timestamptz + make_interval(secs => ${batchTtlSeconds})) - now())::float8 as seconds,
           expired_at is not null as expired
      from batches where id = ${id}`);
  if (!row || row.expired) throw new GoneError(`batch "${id}" has expired and its images have been deleted`);
  return remaining(row.seconds, ttlSeconds, `batch "${id}"`);
}

/**
 * 302 to a presigned URL. Not cacheable: the URL stops working when it
 * expires, and a fresh request gets a fresh one.
 */
export function redirectTo(url: string): Response {
  return new Response(null, { status: 302, headers: { ...SECURITY_HEADERS, location: url, 'cache-control': 'no-store' } });
}
