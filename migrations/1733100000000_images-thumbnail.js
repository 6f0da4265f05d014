/**
 * Each processed image gets a small thumbnail (at most 320 px on its longer
 * side, WebP) stored beside it; its key is recorded so the sweeper deletes it
 * with the image. Rows written before have none (null): the page then shows
 * the full image.
 */
export const up = (pgm) => {
  pgm.addColumns('images', { thumbnail_path: { type: 'text' } });
};

export const down = (pgm) => {
  pgm.dropColumns('images', ['thumbnail_path']);
};
