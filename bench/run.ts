/**
 * `bun bench/run.ts [--images N] [--concurrency C] [--processors P] [--url URL] [--soak] [--scaling]
 *   [--storage file|s3] [--photo PATH] [--inline-max-bytes N]`
 * Render and per-operation micro-benchmarks, then the whole system under load; prints the
 * figures and writes them to bench/results/<date>.md with a chart beside it.
 * --scaling instead runs the whole system with 1 processor, then with 2.
 * `--help` lists every option. Not part of `bun test`.
 */
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../shared/config.ts';
import { Cleanup } from './cleanup.ts';
import { parseOptions, type BenchOptions } from './options.ts';
import { operationsBenchMarkdown, operationsBenchText, runOperationsBench } from './operations-bench.ts';
import { renderBenchMarkdown, renderBenchText, runRenderBench } from './render-bench.ts';
import { runInfoLines, sectionsMarkdown, sectionsText, systemSections, type RunInfo } from './report.ts';
import { localDate, writeChart, writeResult } from './results.ts';
import { collectRunInfo } from './run-info.ts';
import { runScaling, SCALING_TARGET, scalingRatio, scalingSection } from './scaling.ts';
import { runSystemBench } from './system-bench.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../tests/fixtures/${name}`, import.meta.url));
const log = (s: string) => console.error(`[bench] ${s}`);

/** The default run (and --soak): render micro-benchmark, one whole-system run, report and chart. */
async function benchmark(options: BenchOptions, info: RunInfo, cleanup: Cleanup): Promise<number> {
  let renderMd = '';
  if (!options.skipRender) {
    log(`render micro-benchmark, ${options.renderIterations} iterations...`);
    const render = await runRenderBench(loadConfig(), fixture('cat-640x480.jpg'), options.renderIterations);
    renderMd = `## Render only (in-process, one at a time)\n\n${renderBenchMarkdown(render)}`;
    console.log(`== Render only (in-process, one at a time) ==\n${renderBenchText(render)}\n`);
    const opIterations = Math.max(5, Math.round(options.renderIterations / 10));
    log(`operations micro-benchmark, ${opIterations} iterations of each...`);
    const ops = await runOperationsBench(loadConfig(), fixture('cat-640x480.jpg'), opIterations);
    renderMd += `\n\n## Operations (in-process, one at a time)\n\n${operationsBenchMarkdown(ops)}`;
    console.log(`== Operations (in-process, one at a time) ==\n${operationsBenchText(ops)}\n`);
  }
  const figures = await runSystemBench(options, cleanup, log);
  info.loadavgAfter = loadavg();
  const sections = systemSections(figures);
  const header = runInfoLines(info, options);
  console.log(`${sectionsText(sections)}\n\n${header.join('\n')}`);

  // A soak run gets files of its own, so it does not replace the day's normal run.
  const name = `${localDate()}${options.soak ? '-soak' : ''}`;
  const chart = await writeChart(`${name}.png`, figures);
  log(`chart written to ${chart}`);
  const md = [
    `# kadr benchmark, ${localDate()}${options.soak ? ' (soak)' : ''}`,
    header.map((l) => `- ${l}`).join('\n'),
    renderMd,
    `## Throughput and queue depth\n\n![Throughput and queue depth over the run](${name}.png)`,
    sectionsMarkdown(sections),
  ];
  log(`report written to ${await writeResult(`${name}.md`, `${md.filter(Boolean).join('\n\n')}\n`)}`);

  const failed = figures.completion.failed + figures.load.failed;
  if (failed > 0) log(`${failed} upload(s) or job(s) failed`);
  return failed > 0 ? 1 : 0;
}

/** --scaling: the whole system with 1 processor, then 2; their end-to-end rates compared, each run's detail below. */
async function scalingCheck(options: BenchOptions, info: RunInfo, cleanup: Cleanup): Promise<number> {
  const runs = await runScaling(options, cleanup, log);
  info.loadavgAfter = loadavg();
  const summary = scalingSection(runs);
  const header = runInfoLines(info, options);
  console.log(`${sectionsText([summary])}\n\n${header.join('\n')}`);

  const name = `${localDate()}-scaling`;
  const md = [`# kadr scaling check, ${localDate()}`, header.map((l) => `- ${l}`).join('\n'), sectionsMarkdown([summary])];
  for (const run of runs) {
    const chart = `${name}-${run.processors}p.png`;
    await writeChart(chart, run.figures);
    // One heading level down: each run's sections sit under the run's own heading.
    const detail = sectionsMarkdown(systemSections(run.figures)).replace(/^## /gm, '### ');
    md.push(`## Run with ${run.processors} processor(s)\n\n![Throughput and queue depth](${chart})\n\n${detail}`);
  }
  log(`report written to ${await writeResult(`${name}.md`, `${md.join('\n\n')}\n`)}`);

  const failed = runs.reduce((n, r) => n + r.figures.completion.failed + r.figures.load.failed, 0);
  if (failed > 0) log(`${failed} upload(s) or job(s) failed`);
  if (scalingRatio(runs) < SCALING_TARGET) log(`2 processors gave less than ${SCALING_TARGET}x one processor's images/s`);
  return failed > 0 || scalingRatio(runs) < SCALING_TARGET ? 1 : 0;
}

async function main(): Promise<number> {
  const options = parseOptions(Bun.argv.slice(2), process.env);
  const cleanup = new Cleanup();
  cleanup.installSignalHandlers();
  const info = collectRunInfo();
  try {
    return await (options.scaling ? scalingCheck(options, info, cleanup) : benchmark(options, info, cleanup));
  } finally {
    await cleanup.run();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  },
);
