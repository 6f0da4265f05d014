import type { Probe } from './probe.ts';
import type { TestSystem } from './system.ts';
import { until } from './wait.ts';

/**
 * SIGKILLs worker `name` at a moment it holds unacknowledged entries of
 * `stream`, once `ready()` says the load is far enough along, and returns the
 * ids it left pending. An entry can be acknowledged between the look and the
 * kill; then the kill proved nothing, so the worker is restarted under the
 * same name and the kill tried again, up to `attempts` times.
 */
export async function killWhileHolding(
  system: TestSystem,
  probe: Probe,
  name: string,
  stream: 'uploads' | 'captioned',
  ready: () => boolean,
  attempts = 5,
): Promise<string[]> {
  for (let attempt = 1; ; attempt++) {
    const { consumer } = system.service(name);
    await until(
      `${name} holding unacknowledged ${stream} entries`,
      async () => ready() && (await probe.pending(stream, consumer)).length > 0,
      30_000,
      { intervalMs: 5 },
    );
    await system.signal(name, 'SIGKILL');
    const orphaned = await probe.pending(stream, consumer);
    if (orphaned.length > 0 || attempt === attempts) return orphaned;
    await system.restart(name, { sameConsumer: true });
  }
}
