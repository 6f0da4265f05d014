import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chartPng } from './chart.ts';
import type { SystemFigures } from './report.ts';
import { throughputChart } from './throughput-chart.ts';

const DIR = fileURLToPath(new URL('./results/', import.meta.url));
/** The repo's own font, not the machine's: charts look the same wherever they are drawn. */
const FONT_FILE = fileURLToPath(new URL('../fonts/DejaVuSans.ttf', import.meta.url));

/** YYYY-MM-DD in local time: result files are named after the day they were made. */
export function localDate(d = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Writes bench/results/<name> (a run of the same kind on the same day replaces it) and returns its path. */
export async function writeResult(name: string, content: string | Uint8Array): Promise<string> {
  await mkdir(DIR, { recursive: true });
  await Bun.write(`${DIR}${name}`, content);
  return `${DIR}${name}`;
}

/** Throughput and queue depth of one whole-system run as bench/results/<name> (a PNG). */
export function writeChart(name: string, f: SystemFigures): Promise<string> {
  const target = f.started ? `${f.options.processors} processor(s)` : f.baseUrl;
  const title = `kadr: ${f.options.images} uploads at concurrency ${f.options.concurrency}, ${target}`;
  return writeResult(name, chartPng(throughputChart(f.sampler.samples, title), FONT_FILE));
}
