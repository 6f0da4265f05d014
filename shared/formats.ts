/** The encodings a result may have, with the file extension and content type each is stored and served under. */
export const OUTPUT_FORMATS = {
  jpeg: { ext: 'jpg', contentType: 'image/jpeg' },
  png: { ext: 'png', contentType: 'image/png' },
  webp: { ext: 'webp', contentType: 'image/webp' },
  avif: { ext: 'avif', contentType: 'image/avif' },
} as const;

export type OutputFormat = keyof typeof OUTPUT_FORMATS;
