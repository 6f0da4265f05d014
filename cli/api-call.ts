/** What the API answered instead of success: its status and its own `{ error: { code, message } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** As a person reads it: "422 too_long: description: expected at most 200 characters, got 201". */
  override toString(): string {
    return `${this.status} ${this.code}: ${this.message}`;
  }
}

/** The server could not be reached at all (nothing listening, DNS, reset). */
export class UnreachableError extends Error {
  constructor(url: string, cause: unknown) {
    const code = (cause as { code?: string }).code;
    super(`cannot reach the kadr API at ${url}${code ? ` (${code})` : ''}: is it running? (set --server or KADR_URL)`, { cause });
    this.name = 'UnreachableError';
  }
}

/** An openapi-fetch result: data on success, the parsed error body otherwise. */
interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The API's error as an ApiError, whatever shape the body had (a proxy may answer HTML). */
export function apiError(response: Response, body: unknown): ApiError {
  const e = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  if (e && typeof e.code === 'string' && typeof e.message === 'string') return new ApiError(response.status, e.code, e.message);
  const text = typeof body === 'string' ? body.slice(0, 200) : '';
  return new ApiError(response.status, 'http_error', `${response.statusText || 'HTTP error'}${text ? `: ${text}` : ''}`);
}

export interface RetryOptions {
  /** Called before each wait, so the caller can say why it pauses. */
  onWait?: (seconds: number, reason: ApiError) => void;
  /** Give up after this many answers asking to wait (default 60). */
  maxWaits?: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Runs `call` and returns its data, or throws an ApiError with the API's
 * message. An answer that asks the client to come back later (503, such as
 * `queue_full`, or 409 `idempotency_key_in_use`, each with `Retry-After`) is
 * waited out and the call made again: the uploads carry an Idempotency-Key,
 * so a repeat never creates a second job.
 */
export async function withRetry<T>(call: () => Promise<FetchResult<T>>, opts: RetryOptions = {}): Promise<{ data: T; response: Response }> {
  const sleep = opts.sleep ?? ((ms) => Bun.sleep(ms));
  for (let waits = 0; ; waits++) {
    const { data, error, response } = await call();
    if (response.ok) return { data: data as T, response };
    const err = apiError(response, error);
    const seconds = retryAfterSeconds(response);
    const asksToWait = response.status === 503 || (response.status === 409 && err.code === 'idempotency_key_in_use');
    if (!asksToWait || seconds === undefined || waits >= (opts.maxWaits ?? 60)) throw err;
    opts.onWait?.(seconds, err);
    await sleep(seconds * 1000);
  }
}

/** Retry-After in seconds (the delay form; an HTTP date is turned into one), capped at a minute. */
export function retryAfterSeconds(response: Response): number | undefined {
  const raw = response.headers.get('retry-after');
  if (raw === null) return undefined;
  const seconds = /^\d+$/.test(raw.trim()) ? Number(raw) : (Date.parse(raw) - Date.now()) / 1000;
  if (!Number.isFinite(seconds)) return undefined;
  return Math.min(60, Math.max(0, Math.ceil(seconds)));
}
