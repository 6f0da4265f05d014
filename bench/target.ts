import { TestSystem } from '../tests/support/system.ts';
import type { ServiceProcess } from './sampler.ts';

/** Where uploads go: a system this run started (and will stop), or a running API. */
export interface Target {
  baseUrl: string;
  /** Key prefix and database, when known, for sampling and counting. */
  keyPrefix: string | undefined;
  databaseUrl: string | undefined;
  /** Service processes whose RSS can be read; empty for --url. */
  processes: ServiceProcess[];
  system: TestSystem | undefined;
}

/**
 * The real api, `processors` processors and saver, each a child process, with
 * their own database, key prefix and folders (tests/support/system.ts).
 * Processors run under `nice` like `npm start` runs them. The two settings
 * TestSystem shortens for tests are put back to their production defaults.
 */
export async function startSystem(processors: number, nice: number): Promise<Target> {
  const system = await TestSystem.start({
    processors,
    processorNice: nice > 0 ? nice : undefined,
    env: { RECLAIM_IDLE_MS: '30000', SHUTDOWN_TIMEOUT_MS: '10000', LOG_LEVEL: 'info' },
  });
  return {
    baseUrl: system.baseUrl,
    keyPrefix: system.env.KEY_PREFIX,
    databaseUrl: system.env.DATABASE_URL,
    processes: system.services.map((s) => ({ name: s.name, pid: s.proc.pid })),
    system,
  };
}

export function externalTarget(url: string, keyPrefix: string | undefined): Target {
  return { baseUrl: url, keyPrefix, databaseUrl: undefined, processes: [], system: undefined };
}

export interface LogDigest {
  /** Per-image render wall time inside the running processors, ms. */
  renderTotals: number[];
  reclaimed: number;
  deadLettered: number;
  warnings: number;
  errors: number;
  firstProblems: string[];
}

/** What the services' JSON log lines say about the run; TestSystem keeps their output. */
export function digestLogs(system: TestSystem): LogDigest {
  const digest: LogDigest = { renderTotals: [], reclaimed: 0, deadLettered: 0, warnings: 0, errors: 0, firstProblems: [] };
  for (const service of system.services) {
    for (const line of service.output.join('').split('\n')) {
      if (!line.startsWith('{')) continue;
      let entry: { level?: number; msg?: string; timings?: Record<string, number> };
      try {
        entry = JSON.parse(line);
      } catch {
        continue;
      }
      if (entry.msg === 'captioned' && entry.timings) {
        digest.renderTotals.push(entry.timings.total ?? 0);
      }
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
