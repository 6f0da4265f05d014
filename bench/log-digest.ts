import type { CaptionTimings } from '../processor/caption/options.ts';
import type { SaveTimings } from '../saver/handle.ts';

/** The stages a processor logs on each 'captioned' line, in the order they are reported. */
export const RENDER_STAGES = ['decode', 'layout', 'rasterize', 'compose', 'encode', 'total'] as const satisfies
  ReadonlyArray<keyof CaptionTimings>;
/** The steps the saver logs on each 'saved' line. */
export const SAVE_STEPS = ['file', 'row', 'ack', 'total'] as const satisfies ReadonlyArray<keyof SaveTimings>;

export interface LogDigest {
  /** Per image, ms, by render stage, from every processor's 'captioned' lines. */
  render: Record<keyof CaptionTimings, number[]>;
  /** Per image, ms, by save step, from the saver's 'saved' lines. */
  save: Record<keyof SaveTimings, number[]>;
  reclaimed: number;
  deadLettered: number;
  warnings: number;
  errors: number;
  firstProblems: string[];
}

/** What a service printed, as TestSystem keeps it: chunks of its stdout and stderr. */
export interface ServiceOutput {
  name: string;
  output: string[];
}

function emptyLists<K extends string>(names: readonly K[]): Record<K, number[]> {
  return Object.fromEntries(names.map((n) => [n, []])) as unknown as Record<K, number[]>;
}

/** A line written by another version of a service may lack a stage; that one is left out, not counted as 0. */
function collect<K extends string>(into: Record<K, number[]>, timings: Record<string, unknown>): void {
  for (const name of Object.keys(into) as K[]) {
    const v = timings[name];
    if (typeof v === 'number' && Number.isFinite(v)) into[name].push(v);
  }
}

/** What the services' JSON log lines say about the run. */
export function digestLogs(services: ServiceOutput[]): LogDigest {
  const digest: LogDigest = {
    render: emptyLists(RENDER_STAGES),
    save: emptyLists(SAVE_STEPS),
    reclaimed: 0,
    deadLettered: 0,
    warnings: 0,
    errors: 0,
    firstProblems: [],
  };
  for (const service of services) {
    for (const line of service.output.join('').split('\n')) {
      if (!line.startsWith('{')) continue;
      let entry: { level?: number; msg?: string; timings?: Record<string, unknown> };
      try {
        entry = JSON.parse(line);
      } catch {
        continue;
      }
      if (entry.msg === 'captioned' && entry.timings) collect(digest.render, entry.timings);
      if (entry.msg === 'saved' && entry.timings) collect(digest.save, entry.timings);
      if (entry.msg === 'reclaimed stale entries') digest.reclaimed++;
      if (entry.msg === 'moving entry to the dead-letter stream') digest.deadLettered++;
      const level = entry.level ?? 0;
      if (level >= 40) {
        if (level >= 50) digest.errors++;
        else digest.warnings++;
        if (digest.firstProblems.length < 5) digest.firstProblems.push(`[${service.name}] ${line.slice(0, 300)}`);
      }
    }
  }
  return digest;
}
