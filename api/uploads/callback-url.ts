import { SourceForbiddenError, ValidationError } from '../../shared/errors.ts';
import { CALLBACK_URL_MAX_LENGTH } from '../../shared/messages.ts';
import type { SsrfGuard } from '../../shared/net/ssrf-guard.ts';
import { isEmpty } from './operations-field.ts';
import { refuseForbiddenSources } from './source-url.ts';

const FIELD = 'callback_url';

/**
 * The optional `callback_url` form field: where kadr POSTs the signed
 * webhook when the job (or batch) ends. At most one, an absolute http(s) URL
 * of at most 2048 characters. With webhooks off (no WEBHOOK_SECRET) any
 * callback is refused, 422 `webhooks_disabled`, rather than accepted and
 * never called.
 */
export function readCallbackUrl(form: FormData, enabled: boolean): string | undefined {
  // Sent empty (a form left untouched, Swagger's Try it out) is not sent.
  const values = form.getAll(FIELD).filter((v) => typeof v !== 'string' || !isEmpty(v));
  if (values.length === 0) return undefined;
  if (!enabled) {
    throw new ValidationError(FIELD, 'webhooks are disabled on this server (WEBHOOK_SECRET is not set); send no callback_url', 'webhooks_disabled');
  }
  if (values.length > 1) throw new ValidationError(FIELD, `send it once, got ${values.length}`, 'too_many_values');
  const raw = values[0];
  if (typeof raw !== 'string') throw new ValidationError(FIELD, 'expected a text field holding a URL, got a file', 'invalid_callback_url');
  return checkCallbackUrl(raw);
}

/** Checks one callback URL; answers it as sent. */
function checkCallbackUrl(raw: string): string {
  const bad = (why: string) => new ValidationError(FIELD, why, 'invalid_callback_url');
  if (raw.length > CALLBACK_URL_MAX_LENGTH) throw bad(`expected at most ${CALLBACK_URL_MAX_LENGTH} characters, got ${raw.length}`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw bad(`expected an absolute http or https URL, got "${raw.slice(0, 200)}"`);
  }
  // The stream message's schema checks the scheme by the text's start, so the text must start with it too.
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !/^https?:\/\/[^/]/.test(raw)) {
    throw bad(`expected an http:// or https:// URL (lower-case scheme), got "${raw.slice(0, 200)}"`);
  }
  // It is stored with the job and shows in logs and dead letters; receivers authenticate kadr by the signature.
  if (url.username || url.password) throw bad('must not carry a user name or password');
  return raw;
}

/**
 * Refuses, before anything is queued, a callback the SSRF guard refuses
 * (422 `callback_forbidden`): a literal address that is not public, a port
 * other than 80/443 (and FETCH_ALLOW_PORTS), or a name resolving to a
 * refused address. A name that does not resolve (in time) is let through, as
 * for `url`: the savers check every delivery again and dead-letter a refused
 * one.
 */
export async function refuseForbiddenCallback(guard: SsrfGuard, url: string | undefined): Promise<void> {
  if (url === undefined) return;
  try {
    await refuseForbiddenSources(guard, [{ url, field: FIELD }]);
  } catch (err) {
    if (!(err instanceof SourceForbiddenError)) throw err;
    throw new ValidationError(FIELD, err.message.slice(`${FIELD}: `.length), 'callback_forbidden');
  }
}
