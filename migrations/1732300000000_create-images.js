/**
 * The processed images. `id` is the job's UUIDv7, so the primary key both
 * makes the saver idempotent and sorts by time of receipt.
 */
export const up = (pgm) => {
  pgm.createTable('images', {
    id: { type: 'uuid', primaryKey: true },
    received_at: { type: 'timestamptz', notNull: true },
    description: { type: 'text', notNull: true },
    path: { type: 'text', notNull: true },
    width: { type: 'integer', notNull: true },
    height: { type: 'integer', notNull: true },
    bytes: { type: 'integer', notNull: true },
    saved_at: { type: 'timestamptz', notNull: true, default: pgm.func('now()') },
  });
  // Serves the newest-first listing and its keyset cursor.
  pgm.createIndex('images', [{ name: 'received_at', sort: 'DESC' }, { name: 'id', sort: 'DESC' }]);
};

export const down = (pgm) => {
  pgm.dropTable('images');
};
