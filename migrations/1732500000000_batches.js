/**
 * Batches (`POST /api/batches`): one row per batch, one per job in upload
 * order, and the batch of each image. A batch's row outlives its expiry as a
 * tombstone (`expired_at` set, jobs and images deleted), so its id answers
 * 410 Gone rather than 404 once the archive is gone.
 */
export const up = (pgm) => {
  pgm.createTable('batches', {
    id: { type: 'uuid', primaryKey: true },
    created_at: { type: 'timestamptz', notNull: true, default: pgm.func('now()') },
    image_count: { type: 'integer', notNull: true },
    completed_at: { type: 'timestamptz' },
    expires_at: { type: 'timestamptz' },
    expired_at: { type: 'timestamptz' },
  });
  // The sweeper's scan: completed batches not yet swept, soonest expiry first.
  pgm.createIndex('batches', 'expires_at', { name: 'batches_live_expiry', where: 'expired_at is null' });
  // The completion check's scan: batches still running.
  pgm.createIndex('batches', 'created_at', { name: 'batches_running', where: 'completed_at is null' });
  pgm.createTable('batch_jobs', {
    batch_id: { type: 'uuid', notNull: true, references: 'batches', onDelete: 'CASCADE' },
    position: { type: 'integer', notNull: true },
    job_id: { type: 'uuid', notNull: true, unique: true },
  });
  pgm.addConstraint('batch_jobs', 'batch_jobs_pkey', { primaryKey: ['batch_id', 'position'] });
  // No foreign key to batches: the saver may store an image before or after
  // its batch's row is visible, and the sweeper deletes images by batch.
  pgm.addColumns('images', { batch_id: { type: 'uuid' } });
  pgm.createIndex('images', 'batch_id', { where: 'batch_id is not null' });
  // Single uploads expire by age when IMAGE_TTL_SECONDS is set.
  pgm.createIndex('images', 'saved_at', { name: 'images_single_saved_at', where: 'batch_id is null' });
};

export const down = (pgm) => {
  pgm.dropColumns('images', ['batch_id']);
  pgm.dropIndex('images', 'saved_at', { name: 'images_single_saved_at' });
  pgm.dropTable('batch_jobs');
  pgm.dropTable('batches');
};
