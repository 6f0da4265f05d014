import { SourceForbiddenError, WebhookForbiddenError } from '../../shared/errors.ts';
import type { GuardedFetch } from '../../shared/net/guarded-fetch.ts';

/**
 * How a webhook leaves kadr: one POST, answered by the receiver's status.
 * Throws when no answer came (refused, unreachable, timed out). Redirects
 * are not followed: a 3xx is an answer like any other non-2xx.
 */
export interface WebhookPoster {
  post(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<number>;
}

// The answer's body is of no interest, but the guarded fetch reads it: a
// receiver answering with more than this fails the try like a 5xx.
const MAX_ANSWER_BYTES = 1024 * 1024;

/**
 * A poster through the SSRF guard (shared/net): callback URLs are chosen by
 * users, so the name is resolved once, every address checked, and the
 * connection pinned to the checked address. An address the guard refuses is
 * WebhookForbiddenError, permanent: retrying it for a day would change nothing.
 */
export function guardedPoster(fetch: GuardedFetch): WebhookPoster {
  return {
    async post(url, headers, body, timeoutMs) {
      try {
        const res = await fetch(url, { method: 'POST', headers, body, timeoutMs, maxBytes: MAX_ANSWER_BYTES, maxRedirects: 0 });
        return res.status;
      } catch (err) {
        if (err instanceof SourceForbiddenError) throw new WebhookForbiddenError(err.message.replace(/^url: /, ''), { cause: err });
        throw err;
      }
    },
  };
}
