import { afterAll, beforeAll } from 'bun:test';
import { Probe } from './probe.ts';
import { TestSystem, type StartOptions } from './system.ts';

export interface SystemInUse {
  readonly system: TestSystem;
  readonly probe: Probe;
}

/**
 * Starts a TestSystem and a Probe on it before this file's tests and always
 * stops both afterwards, even when a test or the start itself failed.
 * Read `system` and `probe` inside tests, not at import.
 */
export function useSystem(options: StartOptions): SystemInUse {
  let system: TestSystem | undefined;
  let probe: Probe | undefined;
  beforeAll(async () => {
    system = await TestSystem.start(options);
    probe = await Probe.open(system);
  }, 60_000);
  afterAll(async () => {
    await probe?.close();
    await system?.stop();
  }, 30_000);
  return {
    get system() {
      if (!system) throw new Error('the system is not started (read it inside a test)');
      return system;
    },
    get probe() {
      if (!probe) throw new Error('the probe is not open (read it inside a test)');
      return probe;
    },
  };
}
