import satori from 'satori';

export interface LayoutStyle {
  fontSize: number;
  padding: number;
  lineHeight: number;
}

/** Per-call looks; the default caption uses none of them. */
export interface LayoutLook {
  fontSize?: number;
  padding?: number;
  color?: string;
  /** A colour, or 'transparent' for text laid over a photo. */
  background?: string;
}

export interface Layout {
  svg: string;
  height: number;
}

type SatoriFonts = Parameters<typeof satori>[1]['fonts'];

const FAMILY = 'Caption';

/**
 * Lays the caption out with satori in a box exactly `width` pixels wide and
 * lets satori measure the height. The returned function keeps one `fonts`
 * array for the life of the process: satori caches parsed fonts by identity,
 * so a fresh array per call would re-parse the font every time.
 */
export function createLayout(fontData: ArrayBuffer, style: LayoutStyle) {
  const fonts: SatoriFonts = [{ name: FAMILY, data: fontData, weight: 400, style: 'normal' }];
  return async function layout(text: string, width: number, look: LayoutLook = {}): Promise<Layout> {
    // On a photo narrower than twice the padding the text still gets room for
    // at least a glyph or two; padding shrinks before the text is squeezed out.
    const padding = Math.min(look.padding ?? style.padding, Math.floor(width / 4));
    const svg = await satori(
      {
        type: 'div',
        key: null,
        props: {
          style: {
            display: 'flex',
            width,
            boxSizing: 'border-box',
            padding,
            backgroundColor: look.background ?? '#000',
            color: look.color ?? '#fff',
            fontFamily: FAMILY,
            fontSize: look.fontSize ?? style.fontSize,
            lineHeight: style.lineHeight,
            // Words wrap at spaces; a word longer than the line breaks inside
            // itself rather than running off the image. Line feeds the user
            // typed are kept.
            wordBreak: 'break-word',
            whiteSpace: 'pre-line',
          },
          children: text.replace(/\r\n?/g, '\n'),
        },
      },
      { width, fonts, embedFont: true },
    );
    return { svg, height: svgHeight(svg) };
  };
}

/** satori writes the measured height as the root element's `height` attribute. */
export function svgHeight(svg: string): number {
  const m = /^<svg[^>]*\sheight="([\d.]+)"/.exec(svg);
  if (!m) throw new Error('satori returned an SVG without a height');
  return Math.ceil(Number(m[1]));
}
