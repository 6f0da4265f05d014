/**
 * The load client of the several-hosts test, run on the client host:
 * `ip netns exec <client> bun load-client.ts '<json>'` with
 * `{ baseUrl, load: LoadOptions }`. Waits for the API to be ready as seen
 * from this host, posts the load, and prints one JSON line, a `ClientReport`,
 * on stdout. Exits 1 (with the reason on stderr) when the API never got ready.
 */
import { startLoad, type LoadOptions, type Refusal } from '../load.ts';
import { until } from '../wait.ts';

export interface ClientReport {
  /** [id, description] in the order the 202s arrived. */
  accepted: Array<[string, string]>;
  uncertain: Array<[string, string]>;
  refusals: Refusal[];
  elapsedMs: number;
}

const { baseUrl, load: options } = JSON.parse(process.argv[2] ?? '{}') as { baseUrl: string; load: LoadOptions };

await until(
  `${baseUrl}/readyz answering 200 from the client host`,
  async () => (await fetch(`${baseUrl}/readyz`).catch(() => undefined))?.status === 200,
  30_000,
  { intervalMs: 100 },
);
const load = startLoad(baseUrl, options);
await load.finished;
const report: ClientReport = {
  accepted: [...load.accepted],
  uncertain: [...load.uncertain],
  refusals: load.refusals,
  elapsedMs: load.elapsedMs,
};
process.stdout.write(`${JSON.stringify(report)}\n`);
