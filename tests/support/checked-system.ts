import type { ObjectStore } from '../../shared/storage/store.ts';

/**
 * What the checks (Probe, expectNothingLost) need of a running kadr, reached
 * from the test process: a TestSystem on this machine's loopback, or a
 * HostsSystem whose services live in network namespaces.
 */
export interface CheckedSystem {
  /** The services' environment; the checks read KEY_PREFIX from it. */
  readonly env: Record<string, string>;
  /** Redis as the test process reaches it. */
  readonly redisUrl: string;
  /** The database as the test process reaches it, never through a fault-injecting proxy. */
  readonly databaseUrl: string;
  /** The store the services use, as the test process reaches it. */
  store(): ObjectStore;
  /** Every object in the store. */
  objects(): Promise<string[]>;
}
