/**
 * A result may be JPEG, PNG, WebP or AVIF since pipelines have a format
 * step. The defaults describe every row written before: all were JPEG.
 */
export const up = (pgm) => {
  pgm.addColumns('images', {
    format: { type: 'text', notNull: true, default: 'jpeg' },
    content_type: { type: 'text', notNull: true, default: 'image/jpeg' },
  });
};

export const down = (pgm) => {
  pgm.dropColumns('images', ['format', 'content_type']);
};
