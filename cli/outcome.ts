/** One photo that did not come back, and why, in the API's words. */
export interface Failure {
  photo: string;
  reason: string;
}

/** What a caption run leaves: how many photos came out, the files written and the photos that failed. */
export interface Outcome {
  total: number;
  done: number;
  /** The folder the results went to. */
  out: string;
  saved: string[];
  failures: Failure[];
}

/** `code: message` of a job's or an answer's error. */
export function reasonOf(error: { code?: string; message?: string } | undefined): string {
  if (!error) return 'failed without a reason';
  return [error.code, error.message].filter(Boolean).join(': ');
}

/** The closing lines: the counts, the files written, then each failure with its reason. */
export function summary(outcome: Outcome): string[] {
  const lines = [`${outcome.done} done, ${outcome.failures.length} failed, of ${outcome.total}`];
  const [only, ...more] = outcome.saved;
  if (only !== undefined) lines.push(more.length === 0 ? `saved ${only}` : `saved ${outcome.saved.length} files into ${outcome.out}`);
  if (outcome.failures.length > 0) {
    lines.push('failed:');
    for (const f of outcome.failures) lines.push(`  ${f.photo}: ${f.reason}`);
  }
  return lines;
}
