import satori from 'satori';

export interface LayoutStyle {
  fontSize: number;
  padding: number;
  lineHeight: number;
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
  return async function layout(text: string, width: number): Promise<Layout> {
    // On a photo narrower than twice the padding the text still gets room for
    // at least a glyph or two; padding shrinks before the text is squeezed out.
    const padding = Math.min(style.padding, Math.floor(width / 4));
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
            backgroundColor: '#000',
            color: '#fff',
            fontFamily: FAMILY,
            fontSize: style.fontSize,
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
