/**
 * `bun bench/run.ts [--images N] [--concurrency C] [--processors P] [--url URL] [--soak]`
 * Render micro-benchmark, then the whole system under load; prints the
 * figures and writes them to bench/results/<date>.md. Not part of `bun test`.
 */
import { mkdir } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../shared/config.ts';
import { Cleanup } from './cleanup.ts';
import { parseOptions } from './options.ts';
import { renderBenchMarkdown, renderBenchText, runRenderBench } from './render-bench.ts';
import { runInfoLines, sectionsMarkdown, sectionsText, systemSections, type RunInfo } from './report.ts';
import { runSystemBench } from './system-bench.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../tests/fixtures/${name}`, import.meta.url));
const log = (s: string) => console.error(`[bench] ${s}`);

function git(args: string[]): string {
  const r = Bun.spawnSync(['git', ...args], { cwd: fileURLToPath(new URL('..', import.meta.url)) });
  return r.exitCode === 0 ? r.stdout.toString().trim() : '';
}

function localDate(d = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

async function main(): Promise<number> {
  const options = parseOptions(Bun.argv.slice(2), process.env);
  const cleanup = new Cleanup();
  cleanup.installSignalHandlers();
  const dirty = git(['status', '--porcelain']) ? ' (with uncommitted changes)' : '';
  const info: RunInfo = {
    date: new Date().toISOString(),
    commit: (git(['rev-parse', '--short', 'HEAD']) || 'unknown') + dirty,
    bun: Bun.version,
    cores: availableParallelism(),
    loadavgBefore: loadavg(),
    loadavgAfter: [],
  };
  try {
    let renderText = '';
    let renderMd = '';
    if (!options.skipRender) {
      log(`render micro-benchmark, ${options.renderIterations} iterations...`);
      const render = await runRenderBench(loadConfig(), fixture('cat-640x480.jpg'), options.renderIterations);
      renderText = `== Render only (in-process, one at a time) ==\n${renderBenchText(render)}`;
      renderMd = `## Render only (in-process, one at a time)\n\n${renderBenchMarkdown(render)}`;
      console.log(`${renderText}\n`);
    }
    const figures = await runSystemBench(options, cleanup, log);
    info.loadavgAfter = loadavg();
    const sections = systemSections(figures);
    const header = runInfoLines(info, options);
    console.log(`${sectionsText(sections)}\n\n${header.join('\n')}`);

    const dir = fileURLToPath(new URL('./results/', import.meta.url));
    await mkdir(dir, { recursive: true });
    const file = `${dir}${localDate()}.md`;
    const md = [`# kadr benchmark, ${localDate()}`, header.map((l) => `- ${l}`).join('\n'), renderMd, sectionsMarkdown(sections)];
    await Bun.write(file, `${md.filter(Boolean).join('\n\n')}\n`);
    log(`report written to ${file}`);

    const failed = figures.completion.failed + figures.load.failed;
    if (failed > 0) log(`${failed} upload(s) or job(s) failed`);
    return failed > 0 ? 1 : 0;
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
