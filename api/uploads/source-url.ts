import { SourceForbiddenError, SourceUnreachableError, ValidationError } from '../../shared/errors.ts';
import type { SsrfGuard } from '../../shared/net/ssrf-guard.ts';

/**
 * How long an upload waits for the guard's name lookup before it is accepted
 * anyway: the answer is 202 at once, and a slow resolver is the processors'
 * to judge (they check again before fetching).
 */
const API_LOOKUP_WAIT_MS = 2000;

/** Longest `url` accepted: what browsers and CDNs reliably handle. */
export const MAX_SOURCE_URL_LENGTH = 2048;

/** An image given by its address: the URL, and the form field that carried it (`url`, or `url[3]` in a batch). */
export interface ImageSource {
  url: string;
  field: string;
}

/**
 * Reads a `url` form value: a text field holding an absolute http or https
 * URL of at most MAX_SOURCE_URL_LENGTH characters, without a user name or
 * password (they would be stored in the job and its logs). Answers it as
 * WHATWG URL normalises it, so the processor fetches what the guard checked.
 */
export function readSourceUrl(value: FormDataEntryValue, field: string): ImageSource {
  if (typeof value !== 'string') throw new ValidationError(field, 'must be a text field holding an http or https URL, got a file part', 'invalid_url');
  const raw = value.trim();
  if (raw.length > MAX_SOURCE_URL_LENGTH) {
    throw new ValidationError(field, `at most ${MAX_SOURCE_URL_LENGTH} characters, got ${raw.length}`, 'invalid_url');
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ValidationError(field, `expected an absolute http or https URL, got "${raw.slice(0, 100)}"`, 'invalid_url');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ValidationError(field, `expected an http or https URL, got ${url.protocol}`, 'invalid_url');
  }
  if (url.username || url.password) throw new ValidationError(field, 'must not carry a user name or password', 'invalid_url');
  return { url: url.href, field };
}

/**
 * Refuses, before anything is queued, a source the SSRF guard refuses: a
 * literal address that is not public, a port other than 80/443 (and
 * FETCH_ALLOW_PORTS), or a name that resolves to a refused address. A name
 * that does not resolve here is let through: the processors may sit on
 * other hosts with other resolvers, and they check again at fetch time,
 * where a name that still does not resolve fails the job as
 * source_unreachable; so is a lookup that takes longer than `waitMs`. All
 * sources are checked at once; the first refused one, in the order sent, is
 * the 422.
 */
export async function refuseForbiddenSources(guard: SsrfGuard, sources: ImageSource[], waitMs = API_LOOKUP_WAIT_MS): Promise<void> {
  if (sources.length === 0) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const waited = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), waitMs)));
  const verdicts = await Promise.all(
    sources.map((s) => Promise.race([waited, verdictOf(guard, s)])),
  ).finally(() => clearTimeout(timer));
  const refused = verdicts.find((v) => v !== undefined);
  if (refused) throw refused;
}

function verdictOf(guard: SsrfGuard, s: ImageSource): Promise<SourceForbiddenError | undefined> {
  return guard.checkUrl(s.url).then(
    (result) => (result.ok ? undefined : new SourceForbiddenError(result.refusal.message, s.field)),
    (err) => {
      if (err instanceof SourceUnreachableError) return undefined;
      throw err;
    },
  );
}
