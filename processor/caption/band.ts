import { Resvg } from '@resvg/resvg-js';

/**
 * Rasterizes the band SVG to raw RGB rows. Satori has already turned the
 * glyphs into paths, so resvg needs no fonts; loading system fonts would cost
 * ~9 ms per call for nothing. Raw pixels, not PNG, go on to sharp: the PNG
 * round trip cost ~4 ms per image.
 */
export function rasterizeBand(svg: string, width: number, height: number, background = '#000000'): Buffer {
  const rendered = rasterize(svg, background);
  if (rendered.width !== width || rendered.height < height) {
    throw new Error(`band rendered as ${rendered.width}x${rendered.height}, expected ${width}x${height}`);
  }
  return rgbaToRgb(rendered.pixels, width, height);
}

/** The SVG's pixels, RGBA; without a background, what nothing covers stays transparent. */
export function rasterize(svg: string, background?: string) {
  return new Resvg(svg, { fitTo: { mode: 'original' }, font: { loadSystemFonts: false }, background }).render();
}

/** The band is opaque, so dropping alpha loses nothing; the photo rows are RGB. */
function rgbaToRgb(rgba: Buffer, width: number, height: number): Buffer {
  const n = width * height;
  const rgb = Buffer.allocUnsafe(n * 3);
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    const o = i * 3;
    rgb[o] = rgba[j]!;
    rgb[o + 1] = rgba[j + 1]!;
    rgb[o + 2] = rgba[j + 2]!;
  }
  return rgb;
}
