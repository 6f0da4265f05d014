/**
 * Typed errors. Each has a stable `code` that clients and logs can rely on;
 * errors that face HTTP carry a `status`. Workers decide retry vs. dead-letter
 * by class (see `isPermanent`), never by message text.
 */
export class KadrError extends Error {
  readonly code: string = 'internal';
  readonly status: number = 500;
  /** A permanent error fails the job at once; anything else is retried. */
  readonly permanent: boolean = false;
  /** When set, HTTP answers carry `Retry-After` with this many seconds. */
  readonly retryAfterSeconds: number | undefined = undefined;
  /**
   * The raw text behind a clear `message` (libvips' own words), for the log
   * and the dead letter; never shown to the uploader.
   */
  readonly detail: string | undefined;
  constructor(message: string, options?: { cause?: unknown; detail?: string }) {
    super(message, options);
    this.name = new.target.name;
    this.detail = options?.detail;
  }
}

/** The request itself is malformed (bad query, broken multipart). */
export class BadRequestError extends KadrError {
  override readonly code: string;
  override readonly status = 400;
  constructor(message: string, code = 'bad_request') {
    super(message);
    this.code = code;
  }
}

/**
 * A field is missing or its value breaks a rule; `field` names it. `where`
 * starts the message when the fault lies deeper in the field
 * (`operations[2].width`).
 */
export class ValidationError extends KadrError {
  override readonly code: string;
  override readonly status = 422;
  readonly field: string;
  constructor(field: string, message: string, code = 'invalid_field', where = field) {
    super(`${where}: ${message}`);
    this.field = field;
    this.code = code;
  }
}

export class PayloadTooLargeError extends KadrError {
  override readonly code = 'payload_too_large';
  override readonly status = 413;
}

export class UnsupportedMediaTypeError extends KadrError {
  override readonly code: string;
  override readonly status = 415;
  constructor(message: string, code = 'unsupported_media_type') {
    super(message);
    this.code = code;
  }
}

export class NotFoundError extends KadrError {
  override readonly code = 'not_found';
  override readonly status = 404;
}

/** The job exists but has no result to serve (yet, or ever). */
export class NotReadyError extends KadrError {
  override readonly code: string;
  override readonly status = 409;
  readonly jobStatus: string;
  constructor(message: string, jobStatus: string, code = 'not_ready') {
    super(message);
    this.jobStatus = jobStatus;
    this.code = code;
  }
}

/** A batch still has jobs running; `counts` says how far it is. */
export class BatchNotReadyError extends NotReadyError {
  readonly counts: Record<string, number>;
  constructor(message: string, counts: Record<string, number>) {
    super(message, 'running');
    this.counts = counts;
  }
}

/** The Idempotency-Key was first used with a different upload (other image bytes or description). */
export class IdempotencyKeyReusedError extends KadrError {
  override readonly code = 'idempotency_key_reused';
  override readonly status = 422;
}

/** The first request with this Idempotency-Key is still being accepted; a retry shortly after gets its answer. */
export class IdempotencyKeyInUseError extends KadrError {
  override readonly code = 'idempotency_key_in_use';
  override readonly status = 409;
  override readonly retryAfterSeconds = 1;
}

/** The request is well-formed but the resource's state does not allow it. */
export class ConflictError extends KadrError {
  override readonly code: string;
  override readonly status = 409;
  constructor(message: string, code: string) {
    super(message);
    this.code = code;
  }
}

/** A `Range` selects no byte of the image (it starts at or past the end); `size` is the whole image's. */
export class RangeNotSatisfiableError extends KadrError {
  override readonly code = 'range_not_satisfiable';
  override readonly status = 416;
  readonly size: number;
  constructor(message: string, size: number) {
    super(message);
    this.size = size;
  }
}

/** An admin endpoint was called without the right `Authorization: Bearer` token. */
export class UnauthorizedError extends KadrError {
  override readonly code = 'unauthorized';
  override readonly status = 401;
}

/** The request may not use this endpoint, whatever its credentials say (a foreign Origin, a client not on loopback). */
export class ForbiddenError extends KadrError {
  override readonly code: string;
  override readonly status = 403;
  constructor(message: string, code = 'forbidden') {
    super(message);
    this.code = code;
  }
}

/** A dependency (Redis, PostgreSQL, the queue) cannot take the request now. */
export class ServiceUnavailableError extends KadrError {
  override readonly code: string;
  override readonly status = 503;
  override readonly retryAfterSeconds: number;
  constructor(message: string, options: { code?: string; retryAfterSeconds?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = options.code ?? 'service_unavailable';
    this.retryAfterSeconds = options.retryAfterSeconds ?? 1;
  }
}

/**
 * Redis went away after an upload's MULTI was sent and before its reply came:
 * the upload may or may not be queued, and nobody can tell until Redis is
 * back. The id lets the client find out (its status answers 404 if it was not
 * queued) instead of sending the photo again blindly and maybe storing it twice.
 */
export class EnqueueOutcomeUnknownError extends ServiceUnavailableError {
  readonly id: string;
  /** `what` is a single upload or a batch (`id` is then the batch's). */
  constructor(id: string, cause: unknown, what: 'upload' | 'batch' = 'upload') {
    super(
      `Redis went away while this ${what} was being queued, so it may or may not have been accepted. ` +
        (what === 'upload'
          ? 'After Retry-After, GET /api/images/{id}/status: 404 means it was not, and it can be sent again.'
          : 'After Retry-After, send it again with the same Idempotency-Key: that replays the first answer if it was queued.'),
      { code: 'outcome_unknown', retryAfterSeconds: 2, cause },
    );
    this.id = id;
  }
}

/** The thing existed but has expired and been deleted (a batch past its expiry). */
export class GoneError extends KadrError {
  override readonly code = 'gone';
  override readonly status = 410;
}

/** The uploaded bytes are not an image we can decode, or exceed the pixel limit. */
export class ImageDecodeError extends KadrError {
  override readonly code: string;
  override readonly permanent = true;
  constructor(message: string, options: { code?: string; cause?: unknown; detail?: string } = {}) {
    super(message, { cause: options.cause, detail: options.detail });
    this.code = options.code ?? 'image_undecodable';
  }
}

/**
 * A pipeline step failed on this image (a crop outside it, a result too
 * large, a watermark image that does not decode). The same input fails the
 * same way every time, so it is permanent; the message names the step.
 */
export class OperationError extends KadrError {
  override readonly code = 'operation_failed';
  override readonly permanent = true;
}

/** A queue entry that does not match its schema: retrying cannot fix it. */
export class InvalidMessageError extends KadrError {
  override readonly code = 'invalid_message';
  override readonly permanent = true;
}

/**
 * A job's payload held by reference (the claim check) is not in the object
 * store: nothing will bring it back, so retrying is pointless.
 */
export class SourceMissingError extends KadrError {
  override readonly code = 'source_missing';
  override readonly permanent = true;
}

/**
 * A dependency is down (database unreachable, disk full). The consumer pauses
 * and retries the same entry without counting it as a failed delivery, so an
 * outage never dead-letters good work.
 */
export class DependencyError extends KadrError {
  override readonly code: string;
  // Met at the API too (the image store while reading): a 503 to retry, never a 500.
  override readonly status = 503;
  override readonly retryAfterSeconds = 2;
  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = options.code ?? 'dependency_unavailable';
  }
}

/**
 * The SSRF guard refuses a URL (its scheme, its port, or an address it names
 * or resolves to): a 422 at the API, a permanent failure at fetch time.
 * `field` names the form field that carried the URL.
 */
export class SourceForbiddenError extends ValidationError {
  override readonly permanent = true;
  constructor(message: string, field = 'url') {
    super(field, message, 'source_forbidden');
  }
}

/**
 * A fetch of a source URL failed on the way (see shared/net/guarded-fetch.ts).
 * Each class's `code` lands in the job's status; `permanent` says whether the
 * consumer retries it with backoff.
 */
export abstract class SourceFetchError extends KadrError {}

/** No connection: the name does not resolve, the connection is refused or reset. Transient unless the name does not exist. */
export class SourceUnreachableError extends SourceFetchError {
  override readonly code = 'source_unreachable';
  override readonly permanent: boolean;
  constructor(message: string, options: { permanent?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.permanent = options.permanent ?? false;
  }
}

/** The connection, or the whole fetch, took longer than FETCH_TIMEOUT_MS: transient. */
export class SourceTimeoutError extends SourceFetchError {
  override readonly code = 'source_timeout';
}

/** The source answered an error status (or too many redirects); 5xx and 429 are transient, the rest permanent. */
export class SourceHttpError extends SourceFetchError {
  override readonly code = 'source_http_error';
  override readonly permanent: boolean;
  readonly httpStatus: number;
  constructor(message: string, httpStatus: number) {
    super(message);
    this.httpStatus = httpStatus;
    this.permanent = !(httpStatus >= 500 || httpStatus === 429);
  }
}

/** The body is (or declares itself) over MAX_UPLOAD_BYTES, reading stopped there; or its image header declares more than MAX_INPUT_PIXELS. */
export class SourceTooLargeError extends SourceFetchError {
  override readonly code = 'source_too_large';
  override readonly permanent = true;
}

/** The body is not an image kadr reads, by its magic bytes (an HTML error page, a redirect to a login form). */
export class SourceNotImageError extends SourceFetchError {
  override readonly code = 'source_not_image';
  override readonly permanent = true;
}

/** Another live worker already uses this consumer name: two sharing one would take each other's entries. */
export class ConsumerNameInUseError extends KadrError {
  override readonly code = 'consumer_name_in_use';
}

export function isPermanent(err: unknown): boolean {
  return err instanceof KadrError && err.permanent;
}

/** The shape in which an error crosses a queue or lands in a job's status. */
export interface SerializedError {
  name: string;
  code: string;
  message: string;
  /** The raw text behind the message, when it was rewritten for people (see KadrError.detail). */
  detail?: string;
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof KadrError) return { name: err.name, code: err.code, message: err.message, ...(err.detail !== undefined && { detail: err.detail }) };
  if (err instanceof Error) return { name: err.name, code: 'internal', message: err.message };
  return { name: 'Error', code: 'internal', message: String(err) };
}

/**
 * A webhook's receiver did not take it (no 2xx in time) through the whole
 * retry schedule: the delivery is dead-lettered. Never the job's failure.
 */
export class WebhookDeliveryError extends KadrError {
  override readonly code = 'webhook_failed';
  override readonly permanent = true;
}

/** The SSRF guard refused a webhook's address at delivery: dead-lettered at once, never the job's failure. */
export class WebhookForbiddenError extends KadrError {
  override readonly code = 'callback_forbidden';
  override readonly permanent = true;
}
