import { Resvg } from '@resvg/resvg-js';

/** One line on a panel. A point whose y is not finite breaks the line there. */
export interface Series {
  label: string;
  color: string;
  points: Array<[x: number, y: number]>;
}

/** A plot of its own with a y axis from 0; the panels of a chart share the x axis. */
export interface Panel {
  title: string;
  series: Series[];
  /** Counts: no y tick between two whole numbers. */
  integers?: boolean;
}

export interface ChartSpec {
  title: string;
  xLabel: string;
  width: number;
  height: number;
  panels: Panel[];
}

const FONT_FAMILY = 'DejaVu Sans';
const MARGIN = { left: 64, right: 24, top: 48, bottom: 52 };
/** Above each plot: its title and legend. Below: the x tick labels. */
const PANEL_HEADER = 30;
const PANEL_FOOTER = 22;
const PANEL_GAP = 26;

const XML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Labels come from options and hostnames; escaped, they can never break the SVG (or inject into it). */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => XML_ENTITIES[c]!);
}

/**
 * 0 to a round number at or above `max`, in about `count` steps of 1, 2 or 5
 * times a power of ten, and never finer than `minStep` (1 for counts).
 */
export function niceTicks(max: number, count = 5, minStep = 0): number[] {
  if (!(max > 0) || !Number.isFinite(max)) return [0, Math.max(1, minStep)];
  const raw = Math.max(max / count, minStep);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw * (1 - 1e-9))!;
  const steps = Math.ceil(max / step - 1e-9);
  // toPrecision: 3 steps of 0.1 should label as 0.3, not 0.30000000000000004.
  return Array.from({ length: steps + 1 }, (_, i) => Number((i * step).toPrecision(12)));
}

function tickLabel(value: number, ticks: number[]): string {
  const step = (ticks[1] ?? 1) - (ticks[0] ?? 0);
  return value.toFixed(Math.max(0, -Math.floor(Math.log10(step))));
}

/**
 * Text width is estimated, not measured (no font metrics here): DejaVu Sans
 * runs about 0.6 em a character at most, so a label never outgrows its room.
 */
const textWidth = (text: string, size: number) => text.length * size * 0.6;

function text(x: number, y: number, content: string, attrs = ''): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attrs}>${escapeXml(content)}</text>`;
}

function linePath(points: Array<[number, number]>, px: (x: number) => number, py: (y: number) => number): string {
  let d = '';
  let pen = false;
  for (const [x, y] of points) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${px(x).toFixed(1)} ${py(y).toFixed(1)} `;
    pen = true;
  }
  return d.trim();
}

function panelSvg(panel: Panel, box: { top: number; height: number; left: number; right: number }, xTicks: number[]): string {
  const plotTop = box.top + PANEL_HEADER;
  const plotBottom = box.top + box.height - PANEL_FOOTER;
  const ys = panel.series.flatMap((s) => s.points.map(([, y]) => y)).filter(Number.isFinite);
  const yTicks = niceTicks(Math.max(0, ...ys), 5, panel.integers ? 1 : 0);
  const xMax = xTicks.at(-1)!;
  const yMax = yTicks.at(-1)!;
  const px = (x: number) => box.left + (x / xMax) * (box.right - box.left);
  const py = (y: number) => plotBottom - (y / yMax) * (plotBottom - plotTop);
  const out: string[] = [text(box.left, box.top + 18, panel.title, 'font-size="15"')];

  // Legend on the title's line, ending near the right edge: each swatch sits
  // exactly before its label; only the gaps between entries rest on the estimate.
  const widths = panel.series.map((s) => 28 + textWidth(s.label, 13));
  let x = box.right - widths.reduce((a, b) => a + b + 18, -18);
  panel.series.forEach((s, i) => {
    out.push(`<line x1="${x.toFixed(1)}" y1="${box.top + 13}" x2="${(x + 22).toFixed(1)}" y2="${box.top + 13}" stroke="${s.color}" stroke-width="3"/>`);
    out.push(text(x + 28, box.top + 18, s.label, 'font-size="13"'));
    x += widths[i]! + 18;
  });

  for (const t of yTicks) {
    const y = py(t).toFixed(1);
    out.push(`<line x1="${box.left}" y1="${y}" x2="${box.right}" y2="${y}" stroke="#e3e3e3"/>`);
    out.push(text(box.left - 6, py(t) + 4, tickLabel(t, yTicks), 'font-size="12" text-anchor="end"'));
  }
  for (const t of xTicks) {
    const xt = px(t).toFixed(1);
    out.push(`<line x1="${xt}" y1="${plotBottom}" x2="${xt}" y2="${plotBottom + 4}" stroke="#444"/>`);
    out.push(text(px(t), plotBottom + 17, tickLabel(t, xTicks), 'font-size="12" text-anchor="middle"'));
  }
  out.push(`<path d="M${box.left} ${plotTop} V${plotBottom} H${box.right}" fill="none" stroke="#444"/>`);
  if (ys.length === 0) {
    out.push(text((box.left + box.right) / 2, (plotTop + plotBottom) / 2, 'not sampled', 'font-size="14" fill="#888" text-anchor="middle"'));
  }
  for (const s of panel.series) {
    const d = linePath(s.points, px, py);
    if (d) out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2" stroke-linejoin="round"/>`);
  }
  return out.join('\n');
}

/**
 * A line chart as a standalone SVG document of `width` x `height` px: a
 * title, then the panels stacked top to bottom over one x axis starting at 0,
 * each with its own y axis starting at 0, grid lines and a legend.
 */
export function chartSvg(spec: ChartSpec): string {
  const xs = spec.panels.flatMap((p) => p.series.flatMap((s) => s.points.map(([x]) => x))).filter(Number.isFinite);
  const xTicks = niceTicks(Math.max(0, ...xs), 10);
  const left = MARGIN.left;
  const right = spec.width - MARGIN.right;
  const n = Math.max(1, spec.panels.length);
  const panelHeight = (spec.height - MARGIN.top - MARGIN.bottom - PANEL_GAP * (n - 1)) / n;
  const panels = spec.panels.map((panel, i) =>
    panelSvg(panel, { top: MARGIN.top + i * (panelHeight + PANEL_GAP), height: panelHeight, left, right }, xTicks),
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${spec.width}" height="${spec.height}" viewBox="0 0 ${spec.width} ${spec.height}" font-family="${FONT_FAMILY}" fill="#222">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    text(left, 28, spec.title, 'font-size="18"'),
    ...panels,
    text((left + right) / 2, spec.height - 14, spec.xLabel, 'font-size="13" text-anchor="middle"'),
    '</svg>',
  ].join('\n');
}

/** The chart as a PNG, its text set in `fontFile` alone, so it looks the same on every machine. */
export function chartPng(spec: ChartSpec, fontFile: string): Buffer {
  return new Resvg(chartSvg(spec), {
    fitTo: { mode: 'original' },
    font: { fontFiles: [fontFile], loadSystemFonts: false, defaultFontFamily: FONT_FAMILY },
  })
    .render()
    .asPng();
}
