import { caption as contract } from '../../shared/operations/caption.ts';
import { requireWithinLimits } from './size.ts';
import { applying } from './types.ts';

export const caption = applying(contract, async (image, p, ctx) => {
  const band = await ctx.drawBand(p.text ?? ctx.description, image.width, {
    fontSize: p.fontSize ?? ctx.caption.fontSize,
    padding: p.padding ?? ctx.caption.padding,
    color: p.color ?? '#ffffff',
    background: p.background ?? '#000000',
  });
  requireWithinLimits(image.width, image.height + band.height, ctx);
  const rows = p.position === 'top' ? [band.rgb, image.data] : [image.data, band.rgb];
  return { data: Buffer.concat(rows, image.data.length + band.rgb.length), width: image.width, height: image.height + band.height };
});
