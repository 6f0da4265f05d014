import type { ProcessorPriority } from '../shared/cpu-priority.ts';
import { heapHintEnv } from '../shared/heap-hint.ts';
import { TestSystem } from '../tests/support/system.ts';
import type { BenchStorage } from './options.ts';
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
 * and the services get the heap hint `npm start` gives them. `storage: 's3'`
 * stores the images in an S3 server of the system's own (s3rver, started and
 * removed with it); `inlineMaxBytes` is handed to the services as INLINE_MAX_BYTES.
 */
export async function startSystem(
  processors: number,
  priority: ProcessorPriority,
  opts: { storage: BenchStorage; inlineMaxBytes: number | undefined },
): Promise<Target> {
  const system = await TestSystem.start({
    processors,
    processorPriority: priority,
    storage: opts.storage,
    env: {
      // As `npm start` runs them: the heap hint too (shared/heap-hint.ts).
      ...heapHintEnv(),
      RECLAIM_IDLE_MS: '30000',
      SHUTDOWN_TIMEOUT_MS: '10000',
      LOG_LEVEL: 'info',
      ...(opts.inlineMaxBytes === undefined ? {} : { INLINE_MAX_BYTES: String(opts.inlineMaxBytes) }),
    },
  });
  return {
    baseUrl: system.baseUrl,
    keyPrefix: system.env.KEY_PREFIX,
    databaseUrl: system.env.DATABASE_URL,
    // The S3 server counts as part of the system: its CPU and memory are what the store costs here.
    processes: [
      ...system.services.map((s) => ({ name: s.name, pid: s.proc.pid })),
      ...(system.s3 ? [{ name: 's3rver', pid: system.s3.pid }] : []),
    ],
    system,
  };
}

export function externalTarget(url: string, keyPrefix: string | undefined): Target {
  return { baseUrl: url, keyPrefix, databaseUrl: undefined, processes: [], system: undefined };
}
