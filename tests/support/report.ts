import type { Outcome } from './nothing-lost.ts';
import { refusalSummary, type UploadLoad } from './load.ts';

/**
 * One line per fault test with what was measured, so a run's output shows
 * the numbers behind "nothing lost": this test's uploads (posted, accepted,
 * refused by reason) and the ids the check covered (done, failed, and how
 * long the system took to settle after the load).
 */
export function reportOutcome(fault: string, load: Pick<UploadLoad, 'accepted' | 'refusals'>, outcome: Outcome, startedAt: number, extra: Record<string, unknown> = {}): void {
  const line = {
    fault,
    posted: load.accepted.size + load.refusals.length,
    accepted: load.accepted.size,
    refused: refusalSummary(load.refusals),
    uncertain_queued: outcome.uncertainQueued,
    checked: outcome.accepted,
    done: outcome.done,
    failed: outcome.failed,
    settle_ms: Math.round(outcome.settledMs),
    total_ms: Math.round(performance.now() - startedAt),
    ...extra,
  };
  process.stdout.write(`[fault] ${JSON.stringify(line)}\n`);
}
