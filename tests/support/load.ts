const FIXTURES = ['cat-640x480.jpg', 'astronaut-640x480.jpg'];
const loaded = new Map<string, Promise<Blob>>();

/** A fixture photo (a file in tests/fixtures) as a JPEG upload body, read once per process. */
export function photo(name: string): Promise<Blob> {
  let p = loaded.get(name);
  if (!p) {
    p = Bun.file(new URL(`../fixtures/${name}`, import.meta.url)).arrayBuffer().then((b) => new Blob([b], { type: 'image/jpeg' }));
    loaded.set(name, p);
  }
  return p;
}

export interface LoadOptions {
  count: number;
  /** Uploads in flight at once. */
  concurrency?: number;
  /** Caps the pace, so the load lasts long enough to span a fault. */
  perSecond?: number;
  /** With `perSecond`: this many go first at full speed, to build a backlog. */
  burst?: number;
  /** Files in tests/fixtures, posted in turn; default the two 640x480 photos. */
  fixtures?: string[];
}

/** How one POST ended when it was not a 202. */
export interface Refusal {
  status: number | 'network';
  code: string;
  retryAfter: string | null;
}

/**
 * Photos posted to a running API in the background. Only a 202 counts as
 * accepted; anything else (a 503 while a dependency is down, a refused
 * connection while the API restarts) is recorded as a refusal, because the
 * promise covers accepted uploads only.
 */
export class UploadLoad {
  /** id → the description it was posted with, in the order the 202s arrived. */
  readonly accepted = new Map<string, string>();
  /**
   * Refused with `outcome_unknown` (Redis went away mid-MULTI): id →
   * description. Each may or may not be queued; expectNothingLost decides.
   */
  readonly uncertain = new Map<string, string>();
  readonly refusals: Refusal[] = [];
  readonly finished: Promise<void>;
  private next = 0;
  /** Uploads to start at most; `stop()` lowers it. */
  private limit: number;
  private readonly startedAt = performance.now();
  elapsedMs = 0;

  constructor(
    private readonly baseUrl: string,
    private readonly o: LoadOptions,
  ) {
    this.limit = o.count;
    const workers = Array.from({ length: o.concurrency ?? 4 }, () => this.work());
    this.finished = Promise.all(workers).then(() => {
      this.elapsedMs = performance.now() - this.startedAt;
    });
  }

  /**
   * Starts no more uploads; those in flight still finish (await `finished`).
   * Lets a test keep the load going for exactly as long as a fault lasts,
   * however long the system took to get there.
   */
  stop(): void {
    this.limit = Math.min(this.limit, this.next);
  }

  private async work(): Promise<void> {
    for (let i = this.next++; i < this.limit; i = this.next++) {
      const burst = this.o.burst ?? 0;
      if (this.o.perSecond && i >= burst) {
        const due = this.startedAt + ((i - burst) * 1000) / this.o.perSecond;
        if (due > performance.now()) await Bun.sleep(due - performance.now());
      }
      await this.post(i);
    }
  }

  private async post(i: number): Promise<void> {
    const description = `fault load #${i}`;
    const fixtures = this.o.fixtures ?? FIXTURES;
    const name = fixtures[i % fixtures.length]!;
    const form = new FormData();
    form.append('image', await photo(name), name);
    form.append('description', description);
    let res: Response;
    let body: { id?: string; error?: { code: string; id?: string } };
    try {
      res = await fetch(`${this.baseUrl}/api/images`, { method: 'POST', body: form });
      body = (await res.json()) as typeof body;
    } catch (err) {
      this.refusals.push({ status: 'network', code: (err as { code?: string }).code ?? 'error', retryAfter: null });
      // The API is not listening (being restarted): don't spin through the rest of the load.
      await Bun.sleep(100);
      return;
    }
    if (res.status === 202 && body.id) return void this.accepted.set(body.id, description);
    if (body.error?.code === 'outcome_unknown' && body.error.id) this.uncertain.set(body.error.id, description);
    this.refusals.push({ status: res.status, code: body.error?.code ?? 'none', retryAfter: res.headers.get('retry-after') });
  }
}

/** Refusals grouped as `503 redis_unavailable: 4`. */
export function refusalSummary(refusals: readonly Refusal[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of refusals) out[`${r.status} ${r.code}`] = (out[`${r.status} ${r.code}`] ?? 0) + 1;
  return out;
}

export function startLoad(baseUrl: string, opts: LoadOptions): UploadLoad {
  return new UploadLoad(baseUrl, opts);
}
