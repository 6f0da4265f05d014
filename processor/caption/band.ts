import { Resvg } from '@resvg/resvg-js';

/**
 * Rasterizes the band SVG to raw RGBA rows. Satori has already turned the
 * glyphs into paths, so resvg needs no fonts; loading system fonts would cost
 * ~9 ms per call for nothing. Raw pixels, not PNG, go on to sharp: the PNG
 * round trip cost ~4 ms per image.
 */
export function rasterizeBandRgba(svg: string, width: number, height: number, background = '#000000'): Buffer {
  const rendered = rasterize(svg, background);
  if (rendered.width !== width || rendered.height < height) {
    throw new Error(`band rendered as ${rendered.width}x${rendered.height}, expected ${width}x${height}`);
  }
  return rendered.pixels;
}

/** The same band as RGB rows, for steps that work on RGB images. */
export function rasterizeBand(svg: string, width: number, height: number, background = '#000000'): Buffer {
  return rgbaToRgb(rasterizeBandRgba(svg, width, height, background), width, height);
}

/** The SVG's pixels, RGBA; without a background, what nothing covers stays transparent. */
export function rasterize(svg: string, background?: string) {
  return new Resvg(svg, { fitTo: { mode: 'original' }, font: { loadSystemFonts: false }, background }).render();
}

/** The band is opaque, so dropping alpha loses nothing; the photo rows are RGB. */
function rgbaToRgb(rgba: Uint8Array, width: number, height: number): Buffer {
  const rgb = Buffer.allocUnsafe(width * height * 3);
  copyRgbaAsRgb(rgba, width * height, rgb, 0);
  return rgb;
}

/** Writes the first `pixels` RGBA pixels of `rgba` into `out` from `offset` as RGB, alpha dropped. */
export function copyRgbaAsRgb(rgba: Uint8Array, pixels: number, out: Uint8Array, offset: number): void {
  for (let i = 0, j = 0, o = offset; i < pixels; i++, j += 4, o += 3) {
    out[o] = rgba[j]!;
    out[o + 1] = rgba[j + 1]!;
    out[o + 2] = rgba[j + 2]!;
  }
}
