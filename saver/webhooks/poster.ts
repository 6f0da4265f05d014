/**
 * How a webhook leaves kadr: one POST, answered by the receiver's status.
 * Throws when no answer came (refused, unreachable, timed out). Redirects
 * are not followed: a 3xx is an answer like any other non-2xx.
 */
export interface WebhookPoster {
  post(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<number>;
}

/** A poster over plain fetch. */
export const fetchPoster: WebhookPoster = {
  async post(url, headers, body, timeoutMs) {
    const res = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    // The answer's body is of no interest; not reading it frees the connection.
    await res.body?.cancel().catch(() => {});
    return res.status;
  },
};
