/** Posts N uploads at a fixed concurrency and records every POST's latency and answer. */

export interface Fixture {
  name: string;
  blob: Blob;
}

export interface LoadProgress {
  accepted: number;
  failed: number;
  /** Ids in the order they were accepted, filled while uploading. */
  ids: string[];
}

export interface LoadResult {
  /** Every POST attempt, ms from sending to the body read. */
  latencies: number[];
  /** Ids in the order they were accepted (the same array as progress.ids). */
  ids: string[];
  /** Answer counts: HTTP status, or "network error". */
  answers: Map<string, number>;
  /** 503 queue_full answers that were retried after Retry-After. */
  retried: number;
  /** Uploads given up on (any answer but 202, or 503 more than MAX_ATTEMPTS times). */
  failed: number;
  errors: string[];
  /** Epoch ms (high resolution) of the first request sent and of the last 202 read. */
  firstPostAt: number;
  lastAcceptedAt: number;
}

const MAX_ATTEMPTS = 50;
const now = () => performance.timeOrigin + performance.now();

export async function postUploads(opts: {
  baseUrl: string;
  fixtures: Fixture[];
  captions: string[];
  concurrency: number;
  progress: LoadProgress;
}): Promise<LoadResult> {
  const { baseUrl, fixtures, captions, concurrency, progress } = opts;
  const result: LoadResult = {
    latencies: [],
    ids: progress.ids,
    answers: new Map(),
    retried: 0,
    failed: 0,
    errors: [],
    firstPostAt: NaN,
    lastAcceptedAt: NaN,
  };
  const count = (answer: string) => result.answers.set(answer, (result.answers.get(answer) ?? 0) + 1);
  const fail = (message: string) => {
    result.failed++;
    progress.failed++;
    if (result.errors.length < 10) result.errors.push(message);
  };
  let next = 0;

  async function postOne(i: number): Promise<void> {
    const fixture = fixtures[i % fixtures.length]!;
    for (let attempt = 1; ; attempt++) {
      const form = new FormData();
      form.append('image', fixture.blob, fixture.name);
      form.append('description', captions[i]!);
      const started = now();
      if (Number.isNaN(result.firstPostAt)) result.firstPostAt = started;
      let status: number;
      let body: string;
      let retryAfter: string | null = null;
      try {
        const res = await fetch(`${baseUrl}/api/images`, { method: 'POST', body: form });
        body = await res.text();
        status = res.status;
        retryAfter = res.headers.get('retry-after');
      } catch (err) {
        result.latencies.push(now() - started);
        count('network error');
        return fail(`upload ${i}: ${(err as Error).message}`);
      }
      const finished = now();
      result.latencies.push(finished - started);
      count(String(status));
      if (status === 202) {
        result.ids.push((JSON.parse(body) as { id: string }).id);
        result.lastAcceptedAt = finished;
        progress.accepted = result.ids.length;
        return;
      }
      if (status === 503 && body.includes('queue_full') && attempt < MAX_ATTEMPTS) {
        // What a well-behaved client does: wait as told, then try again.
        result.retried++;
        await Bun.sleep(Math.min(Number(retryAfter) || 1, 10) * 1000);
        continue;
      }
      return fail(`upload ${i}: HTTP ${status} ${body.slice(0, 200)}`);
    }
  }

  await Promise.all(
    Array.from({ length: Math.min(concurrency, captions.length) }, async () => {
      for (let i = next++; i < captions.length; i = next++) await postOne(i);
    }),
  );
  return result;
}
