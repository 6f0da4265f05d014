import { describePriority } from '../shared/cpu-priority.ts';
import type { Completion } from './completion.ts';
import type { CpuSummary } from './cpu-time.ts';
import type { LoadResult } from './load.ts';
import type { BenchOptions } from './options.ts';
import type { Sample, Sampler } from './sampler.ts';
import { RENDER_STAGES, SAVE_STEPS, type LogDigest } from './log-digest.ts';
import { evenly, markdownTable, mib, ms, rate, size, summarize, textTable } from './stats.ts';

export interface RunInfo {
  date: string;
  commit: string;
  bun: string;
  cores: number;
  loadavgBefore: number[];
  loadavgAfter: number[];
}

export interface SystemFigures {
  options: BenchOptions;
  baseUrl: string;
  started: boolean;
  /** What was posted: file name and size of each photo, in the order they alternate. */
  fixtures: string[];
  load: LoadResult;
  completion: Completion;
  completionMethod: string;
  sampler: Sampler;
  services: string[];
  /** VmHWM per service read just before stopping. */
  hwm: Record<string, number>;
  /** CPU per part from the first POST to the last save. */
  cpu: CpuSummary;
  redisBaseline: number | undefined;
  /** Redis memory sampled on its own, finer than the other samples, first POST to last save. */
  redisMemory: { intervalMs: number; instance: MemorySummary; streams: MemorySummary } | undefined;
  digest: LogDigest | undefined;
}

export interface MemorySummary {
  peak: number | undefined;
  mean: number | undefined;
  count: number;
}

export type Section = { title: string; lines: Array<[string, string]>; table?: { header: string[]; rows: string[][] } };

const mibShort = (bytes: number | undefined) => (bytes === undefined ? '' : (bytes / 1024 / 1024).toFixed(1));
const opt = (v: number | undefined) => (v === undefined ? 'n/a' : String(v));

function rssMarks(samples: Sample[], images: number): Array<[string, Sample | undefined]> {
  const withRss = samples.filter((s) => Object.keys(s.rss).length > 0);
  return [
    ['start (before the first POST)', withRss[0]],
    ['middle (first sample with half the images saved)', withRss.find((s) => s.done >= images / 2)],
    ['end (all saved)', withRss.at(-1)],
  ];
}

/** What a stage's time covers, where its name alone does not say. */
const STAGE_NOTES: Record<string, string> = {
  'processor decode': 'overlaps layout + rasterize',
  'processor total': 'render wall time',
  'saver file': 'write, fsync, rename, dir fsync',
  'saver row': 'insert',
  'saver ack': 'XACK + done status, one MULTI',
};

function stageRows(d: LogDigest): string[][] {
  const row = (service: string, stage: string, values: number[]) => {
    const v = summarize(values);
    const note = STAGE_NOTES[`${service} ${stage}`];
    return [`${service}: ${stage}${note ? ` (${note})` : ''}`, ms(v.p50, 2), ms(v.p95, 2), ms(v.max, 2), String(v.count)];
  };
  return [
    ...RENDER_STAGES.map((stage) => row('processor', stage, d.render[stage])),
    ...SAVE_STEPS.map((step) => row('saver', step, d.save[step])),
  ];
}

/** First POST to the last save: what the whole system delivers. */
export function endToEnd(f: SystemFigures): { images: number; seconds: number } {
  return { images: f.completion.done, seconds: (f.completion.lastDoneAt - f.load.firstPostAt) / 1000 };
}

export function systemSections(f: SystemFigures): Section[] {
  const { load, completion, sampler } = f;
  const accepted = load.ids.length;
  const lat = summarize(load.latencies);
  const acceptSeconds = (load.lastAcceptedAt - load.firstPostAt) / 1000;
  const e2e = endToEnd(f);
  const answers = [...load.answers].map(([k, v]) => `${k}: ${v}`).join(', ');
  const summary: Section = {
    title: 'Whole system',
    lines: [
      ['target', f.started
        ? `started here: api + ${f.options.processors} processor(s) at ${describePriority(f.options.priority)} + saver`
        : `${f.baseUrl} (not started here)`],
      ['image store', f.started ? storageLine(f.options) : 'the running system\'s own'],
      ['INLINE_MAX_BYTES', f.started && f.options.inlineMaxBytes !== undefined ? String(f.options.inlineMaxBytes) : 'the services\' default'],
      ['uploads', `${f.options.images} at concurrency ${f.options.concurrency}, ${f.fixtures.join(', ')}${f.fixtures.length > 1 ? ' alternating' : ''}`],
      ['POST latency (every attempt)', `p50 ${ms(lat.p50)}, p95 ${ms(lat.p95)}, p99 ${ms(lat.p99)}, max ${ms(lat.max)} (n=${lat.count})`],
      ['HTTP answers', answers],
      ['503 queue_full retried after Retry-After', String(load.retried)],
      ['accepted uploads/s', `${rate(accepted, acceptSeconds)} (${accepted} in ${acceptSeconds.toFixed(2)} s)`],
      ['end-to-end images/s (first POST to last saved)', `${rate(e2e.images, e2e.seconds)} (${e2e.images} in ${e2e.seconds.toFixed(2)} s)`],
      ['jobs done / failed', `${completion.done} / ${completion.failed}`],
      ['uploads not accepted', String(load.failed)],
      ['completion measured by', f.completionMethod],
      ['peak uploads queue depth (XLEN)', opt(sampler.peak((s) => s.uploadsQueue))],
      ['peak captioned queue depth (XLEN)', opt(sampler.peak((s) => s.captionedQueue))],
      ['peak Redis used_memory (whole instance)', `${mib(sampler.peak((s) => s.redisUsedMemory))} (before the run: ${mib(f.redisBaseline)})`],
      ...redisMemoryLines(f),
    ],
  };
  for (const e of load.errors) summary.lines.push(['upload error', e]);
  const sections = [summary];

  if (f.services.length > 0) {
    const marks = rssMarks(sampler.samples, f.options.images);
    sections.push({
      title: 'Memory per service',
      lines: [],
      table: {
        header: ['service', 'peak RSS (sampled)', 'VmHWM (kernel peak)', ...marks.map(([label]) => `RSS ${label.split(' ')[0]}`)],
        rows: f.services.map((name) => [
          name,
          mib(sampler.peak((s) => s.rss[name])),
          mib(f.hwm[name]),
          ...marks.map(([, s]) => mib(s?.rss[name])),
        ]),
      },
    });
    sections.at(-1)!.lines.push(
      ...marks.map(([label, s]): [string, string] => [`RSS ${label}`, s ? `t=${s.t.toFixed(1)} s` : 'not sampled']),
    );
  }

  sections.push(cpuSection(f.cpu));

  if (f.digest) {
    const d = f.digest;
    sections.push({
      title: 'Time per stage inside the services (from their log lines, one per image)',
      lines: [],
      table: { header: ['stage', 'p50', 'p95', 'max', 'n'], rows: stageRows(d) },
    });
    sections.push({
      title: 'From the service logs',
      lines: [
        ['stale entries reclaimed / dead-lettered', `${d.reclaimed} / ${d.deadLettered}`],
        ['warn / error log lines', `${d.warnings} / ${d.errors}`],
        ...d.firstProblems.map((p): [string, string] => ['problem', p]),
      ],
    });
  }

  const services = f.services;
  const rows = evenly(sampler.samples, 20).map((s) => [
    s.t.toFixed(1), String(s.accepted), String(s.done), opt(s.uploadsQueue), opt(s.captionedQueue),
    mibShort(s.redisUsedMemory), ...services.map((n) => mibShort(s.rss[n])),
  ]);
  sections.push({
    title: `Samples (every ${f.options.sampleMs} ms; ${rows.length} of ${sampler.samples.length} shown, MiB)`,
    lines: [],
    table: { header: ['t s', 'accepted', 'saved', 'uploads q', 'captioned q', 'redis', ...services], rows },
  });
  return sections;
}

function storageLine(o: BenchOptions): string {
  return o.storage === 's3' ? 's3: an s3rver of its own on 127.0.0.1 (a real S3 server over HTTP, objects in a folder)' : 'file: its own folder';
}

/**
 * The finer Redis series. used_memory is the whole instance, so anything
 * else using that Redis counts too ("above the baseline" is what the run
 * added, if nothing else changed meanwhile); the streams' MEMORY USAGE is
 * the run's own payloads and references alone.
 */
function redisMemoryLines(f: SystemFigures): Array<[string, string]> {
  const m = f.redisMemory;
  if (!m) return [];
  const above = (v: number | undefined) => (v === undefined || f.redisBaseline === undefined ? 'n/a' : mib(v - f.redisBaseline));
  const { instance, streams } = m;
  return [
    [`Redis used_memory every ${m.intervalMs} ms, first POST to last save`,
      `peak ${mib(instance.peak)}, mean ${mib(instance.mean)} (${instance.count} samples); above the baseline: peak ${above(instance.peak)}, mean ${above(instance.mean)}`],
    ['the run\'s streams in Redis (MEMORY USAGE of uploads + captioned + dead)',
      `peak ${size(streams.peak)}, mean ${size(streams.mean)} (${streams.count} samples)`],
  ];
}

function cpuSection(cpu: CpuSummary): Section {
  const pct = (v: number) => `${(v * 100).toFixed(1)} %`;
  const rows = [...cpu.uses]
    .sort((a, b) => b.seconds - a.seconds)
    .map((u) => [u.part, `${u.seconds.toFixed(2)} s`, `${u.msPerImage.toFixed(2)} ms`, pct(u.share)]);
  rows.push(['other (kernel threads, other processes)', `${cpu.otherSeconds.toFixed(2)} s`, '', pct(cpu.otherSeconds / cpu.machineBusySeconds)]);
  return {
    title: 'CPU time, first POST to last save (from /proc; steadier than throughput when the host drifts)',
    lines: [
      ['machine busy', `${cpu.machineBusySeconds.toFixed(1)} s of ${cpu.wallSeconds.toFixed(1)} s x cores (${pct(cpu.utilisation)})`],
      ['CPU-bound ceiling (cores / CPU per image)', `${cpu.ceiling.toFixed(1)} images/s`],
    ],
    table: { header: ['part', 'CPU', 'per image', 'share of busy'], rows },
  };
}

export function sectionsText(sections: Section[]): string {
  return sections
    .map((s) => {
      const width = Math.max(0, ...s.lines.map(([k]) => k.length));
      const parts = [`== ${s.title} ==`, ...s.lines.map(([k, v]) => `${k.padEnd(width)}  ${v}`)];
      if (s.table) parts.push(textTable(s.table.header, s.table.rows));
      return parts.join('\n');
    })
    .join('\n\n');
}

export function sectionsMarkdown(sections: Section[]): string {
  return sections
    .map((s) => {
      const parts = [`## ${s.title}`];
      if (s.lines.length) parts.push(s.lines.map(([k, v]) => `- **${k}**: ${v.replace(/\|/g, '\\|')}`).join('\n'));
      if (s.table) parts.push(markdownTable(s.table.header, s.table.rows));
      return parts.join('\n\n');
    })
    .join('\n\n');
}

export function runInfoLines(info: RunInfo, options: BenchOptions): string[] {
  const load = (l: number[]) => l.map((v) => v.toFixed(2)).join(' ');
  return [
    `date ${info.date}, commit ${info.commit}, Bun ${info.bun}, ${info.cores} CPU cores`,
    `options: --images ${options.images} --concurrency ${options.concurrency}` +
      (options.url
        ? ` --url ${options.url}`
        : ` ${options.scaling ? '--scaling (processors 1, then 2)' : `--processors ${options.processors}`} --priority ${options.priority}`) +
      (options.soak ? ' --soak' : '') +
      (options.url ? '' : ` --storage ${options.storage}`) +
      (options.photo ? ` --photo ${options.photo}` : '') +
      (options.inlineMaxBytes === undefined ? '' : ` --inline-max-bytes ${options.inlineMaxBytes}`),
    `load average (1/5/15 min) before: ${load(info.loadavgBefore)}, after: ${load(info.loadavgAfter)}`,
    'The benchmark client runs on the same machine as the services and competes with them for the CPU;' +
      ' other work on the machine (e.g. tests run by someone else) makes figures noisy.',
  ];
}
