import sharp from 'sharp';

export interface BandMeasure {
  width: number;
  height: number;
  /** Share of band pixels darker than luminance 60. */
  darkShare: number;
  /** Band pixels brighter than luminance 200: the caption's ink. */
  whitePixels: number;
  /** Rows of the band holding ink, a proxy for the number of text lines. */
  inkRows: number;
}

/** Decodes a result and measures the band below `photoHeight`: never compares bytes. */
export async function measureBand(jpeg: Uint8Array, photoHeight: number): Promise<BandMeasure> {
  const { data, info } = await sharp(jpeg).greyscale().raw().toBuffer({ resolveWithObject: true });
  let dark = 0;
  let white = 0;
  let inkRows = 0;
  for (let y = photoHeight; y < info.height; y++) {
    let rowInk = false;
    for (let x = 0; x < info.width; x++) {
      const v = data[y * info.width + x]!;
      if (v < 60) dark++;
      if (v > 200) {
        white++;
        rowInk = true;
      }
    }
    if (rowInk) inkRows++;
  }
  const bandPixels = Math.max(1, (info.height - photoHeight) * info.width);
  return { width: info.width, height: info.height, darkShare: dark / bandPixels, whitePixels: white, inkRows };
}
