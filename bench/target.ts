import type { ProcessorPriority } from '../shared/cpu-priority.ts';
import { heapHintEnv } from '../shared/heap-hint.ts';
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
 * Processors run at the CPU priority given, as `npm start` runs them. The two settings
 * TestSystem shortens for tests are put back to their production defaults,
 * and the services get the heap hint `npm start` gives them.
 */
export async function startSystem(processors: number, priority: ProcessorPriority): Promise<Target> {
  const system = await TestSystem.start({
    processors,
    processorPriority: priority,
    // As `npm start` runs them: the heap hint too (shared/heap-hint.ts).
    env: { ...heapHintEnv(), RECLAIM_IDLE_MS: '30000', SHUTDOWN_TIMEOUT_MS: '10000', LOG_LEVEL: 'info' },
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
