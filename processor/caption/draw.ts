import type { BandStyle, OperationContext, RgbaImage } from '../operations/types.ts';
import { rasterize, rasterizeBand } from './band.ts';
import type { createLayout } from './layout.ts';

type LayoutFn = ReturnType<typeof createLayout>;

/** The text drawing that operation steps use (caption bands, text watermarks), on the caption's font. */
export function createDrawing(layout: LayoutFn): Pick<OperationContext, 'drawBand' | 'drawText'> {
  return {
    async drawBand(text: string, width: number, style: BandStyle) {
      const { svg, height } = await layout(text, width, style);
      return { rgb: rasterizeBand(svg, width, height, style.background), height };
    },
    async drawText(text: string, maxWidth: number, style: { fontSize: number; color: string }) {
      const { svg } = await layout(text, maxWidth, { ...style, padding: 0, background: 'transparent' });
      const rendered = rasterize(svg);
      return cropToInk({ rgba: rendered.pixels, width: rendered.width, height: rendered.height });
    },
  };
}

/**
 * Cuts the transparent margin off: the laid-out box is as wide as the
 * photo, the mark only as wide as its glyphs, which is what positioning and
 * tiling need.
 */
export function cropToInk(image: RgbaImage): RgbaImage {
  const { rgba, width, height } = image;
  let [left, right, top, bottom] = [width, -1, height, -1];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (rgba[(y * width + x) * 4 + 3]! === 0) continue;
      if (x < left) left = x;
      if (x > right) right = x;
      if (y < top) top = y;
      if (y > bottom) bottom = y;
    }
  }
  if (right < 0) return { rgba: Buffer.alloc(4), width: 1, height: 1 };
  const w = right - left + 1;
  const h = bottom - top + 1;
  const out = Buffer.allocUnsafe(w * h * 4);
  for (let y = 0; y < h; y++) rgba.copy(out, y * w * 4, ((top + y) * width + left) * 4, ((top + y) * width + right + 1) * 4);
  return { rgba: out, width: w, height: h };
}
