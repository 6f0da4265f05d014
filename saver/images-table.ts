import type { Sql } from '../shared/db.ts';

export interface ImageRow {
  id: string;
  received_at: string;
  description: string;
  path: string;
  width: number;
  height: number;
  bytes: number;
  format: string;
  content_type: string;
  /** The batch the image belongs to; null for a single upload. */
  batch_id: string | null;
  /** The thumbnail's key (`<id>.thumb.webp`); null when the message carried none. */
  thumbnail_path?: string | null;
}

/** Inserts the row once; a second insert of the same id changes nothing. */
export async function insertImage(sql: Sql, row: ImageRow): Promise<void> {
  await sql`
    insert into images (id, received_at, description, path, width, height, bytes, format, content_type, batch_id, thumbnail_path)
    values (${row.id}, ${row.received_at}, ${row.description}, ${row.path}, ${row.width}, ${row.height}, ${row.bytes},
            ${row.format}, ${row.content_type}, ${row.batch_id}, ${row.thumbnail_path ?? null})
    on conflict (id) do nothing`;
}
