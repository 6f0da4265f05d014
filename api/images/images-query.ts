import type { Sql } from '../../shared/db.ts';
import { calling } from '../../shared/unavailable.ts';
import type { Cursor } from './cursor.ts';

export interface ListedImage {
  id: string;
  received_at: string;
  description: string;
  width: number;
  height: number;
  bytes: number;
  content_type: string;
  /** Null for an image saved before thumbnails existed. */
  thumbnail_path: string | null;
}

/** One page, newest first, plus whether another page follows. */
export async function listImages(sql: Sql, limit: number, after?: Cursor): Promise<{ rows: ListedImage[]; more: boolean }> {
  const rows = await calling('postgres', sql<Array<Omit<ListedImage, 'received_at'> & { received_at: Date }>>`
    select id, received_at, description, width, height, bytes, content_type, thumbnail_path from images
    ${after ? sql`where (received_at, id) < (${after.receivedAt}::timestamptz, ${after.id}::uuid)` : sql``}
    order by received_at desc, id desc
    limit ${limit + 1}`);
  return {
    rows: rows.slice(0, limit).map((r) => ({ ...r, received_at: r.received_at.toISOString() })),
    more: rows.length > limit,
  };
}

export interface StoredImage {
  path: string;
  bytes: number;
  content_type: string;
  received_at: Date;
  saved_at: Date;
  /** The thumbnail's key; null for an image saved before thumbnails existed. */
  thumbnail_path: string | null;
}

export async function findImage(sql: Sql, id: string): Promise<StoredImage | null> {
  const [row] = await calling('postgres', sql<StoredImage[]>`select path, bytes, content_type, received_at, saved_at, thumbnail_path from images where id = ${id}`);
  return row ?? null;
}
