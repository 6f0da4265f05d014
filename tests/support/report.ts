import type { Outcome } from './nothing-lost.ts';
import type { UploadLoad } from './load.ts';

/**
 * One line per fault test with what was measured, so a run's output shows
 * the numbers behind "nothing lost" (accepted, done, failed, time).
 */
export function reportOutcome(fault: string, load: UploadLoad, outcome: Outcome, startedAt: number, extra: Record<string, unknown> = {}): void {
  const line = {
    fault,
    posted: outcome.accepted - outcome.uncertainQueued + load.refusals.length,
    accepted: outcome.accepted,
    uncertain_queued: outcome.uncertainQueued,
    refused: load.refusalSummary(),
    done: outcome.done,
    failed: outcome.failed,
    settle_ms: Math.round(outcome.settledMs),
    total_ms: Math.round(performance.now() - startedAt),
    ...extra,
  };
  process.stdout.write(`[fault] ${JSON.stringify(line)}\n`);
}
