import { Cleanup } from './cleanup.ts';
import type { BenchOptions } from './options.ts';
import { endToEnd, type Section, type SystemFigures } from './report.ts';
import { ms, summarize } from './stats.ts';
import { runSystemBench } from './system-bench.ts';

/** Issue 4's bar: two processors should deliver at least this many times what one does. */
export const SCALING_TARGET = 1.7;
const PROCESSOR_COUNTS = [1, 2];

export interface ScalingRun {
  processors: number;
  figures: SystemFigures;
  /** End to end: first POST to last saved. */
  imagesPerSecond: number;
}

/**
 * The same load (N, C, fixtures, captions) against a fresh system with 1
 * processor, then one with 2. Each system is stopped, and its database, keys
 * and files removed, before the next starts, so the second run shares the
 * machine with nothing left over from the first.
 */
export async function runScaling(options: BenchOptions, cleanup: Cleanup, log: (s: string) => void): Promise<ScalingRun[]> {
  const runs: ScalingRun[] = [];
  for (const processors of PROCESSOR_COUNTS) {
    const own = new Cleanup();
    // Still undone on Ctrl-C mid-run; running it twice does the work once.
    cleanup.add(`the ${processors}-processor run`, () => own.run());
    try {
      log(`scaling: run with ${processors} processor(s)`);
      const figures = await runSystemBench({ ...options, processors }, own, log);
      const e2e = endToEnd(figures);
      runs.push({ processors, figures, imagesPerSecond: e2e.images / e2e.seconds });
    } finally {
      await own.run();
    }
  }
  return runs;
}

/** 2 processors over 1, end-to-end images/s. */
export function scalingRatio(runs: ScalingRun[]): number {
  return runs[1]!.imagesPerSecond / runs[0]!.imagesPerSecond;
}

/** What the processors together spent per image: flat from 1 to 2 means the work itself scales, and the cores are the limit. */
function processorCpuPerImage(f: SystemFigures): number {
  return f.cpu.uses.filter((u) => u.part.startsWith('processor')).reduce((sum, u) => sum + u.msPerImage, 0);
}

export function scalingSection(runs: ScalingRun[]): Section {
  const ratio = scalingRatio(runs);
  const cell = (pick: (r: ScalingRun) => string) => runs.map(pick);
  const logged = (r: ScalingRun, values: (f: NonNullable<SystemFigures['digest']>) => number[], p: 'p50' | 'p95') =>
    r.figures.digest ? ms(summarize(values(r.figures.digest))[p]) : 'n/a';
  return {
    title: 'Scaling: 1 processor against 2, same load',
    lines: [
      ['end-to-end images/s', runs.map((r) => `${r.imagesPerSecond.toFixed(1)} with ${r.processors}`).join(', ')],
      ['ratio, 2 processors over 1', `${ratio.toFixed(2)}x (target >= ${SCALING_TARGET}x: ${ratio >= SCALING_TARGET ? 'met' : 'NOT met'})`],
    ],
    table: {
      header: ['', ...runs.map((r) => `${r.processors} processor(s)`)],
      rows: [
        ['end-to-end images/s (first POST to last saved)', ...cell((r) => r.imagesPerSecond.toFixed(1))],
        ['first POST to last saved', ...cell((r) => `${endToEnd(r.figures).seconds.toFixed(2)} s`)],
        ['jobs done / failed', ...cell((r) => `${r.figures.completion.done} / ${r.figures.completion.failed}`)],
        ['render wall time p50 (processor log)', ...cell((r) => logged(r, (d) => d.render.total, 'p50'))],
        ['render wall time p95 (processor log)', ...cell((r) => logged(r, (d) => d.render.total, 'p95'))],
        ['save total p50 (saver log)', ...cell((r) => logged(r, (d) => d.save.total, 'p50'))],
        ['machine busy (all cores)', ...cell((r) => `${(r.figures.cpu.utilisation * 100).toFixed(0)} %`)],
        ['CPU per image, processors together', ...cell((r) => `${processorCpuPerImage(r.figures).toFixed(1)} ms`)],
        ['CPU per image, everything', ...cell((r) => `${((r.figures.cpu.machineBusySeconds * 1000) / r.figures.completion.done).toFixed(1)} ms`)],
        ['POST latency p95', ...cell((r) => ms(summarize(r.figures.load.latencies).p95))],
        ['peak uploads queue depth', ...cell((r) => String(r.figures.sampler.peak((s) => s.uploadsQueue) ?? 'n/a'))],
      ],
    },
  };
}
