import { Elysia } from 'elysia';
import type { Config } from '../../shared/config.ts';
import { publicBaseUrl } from '../../shared/config.ts';
import { calling } from '../../shared/unavailable.ts';
import { requireAdmin } from './admin-auth.ts';
import { parseLimit } from '../images/cursor.ts';
import type { DeadLetters } from './dead-letters.ts';
import { json } from '../http-errors.ts';
import type { PeerAddresses } from './peer-address.ts';
import type { SseStreams } from '../events/sse.ts';
import type { StatsFeed } from './stats-feed.ts';
import type { StatsSnapshot } from './stats-snapshot.ts';
import { adminDocs } from './routes-docs.ts';

export interface AdminRouteDeps {
  config: Config;
  peers: PeerAddresses;
  deadLetters: DeadLetters;
  readStats: () => Promise<StatsSnapshot>;
  feed: StatsFeed;
  streams: SseStreams;
}

/** `/api/admin/*`: the dashboard's data and actions, behind ADMIN_TOKEN, or loopback only without it (see requireAdmin). */
export function adminRoutes({ config, peers, deadLetters, readStats, feed, streams }: AdminRouteDeps) {
  return new Elysia({ name: 'admin' })
    .onBeforeHandle(({ request }) => requireAdmin(config, request, peers.of(request)))
    .get('/api/admin/stats', async () => json(200, await calling('redis', readStats())), { detail: adminDocs.stats })
    .get(
      '/api/admin/stats/events',
      async ({ request }) => {
        // The first snapshot is read before the stream opens, so a Redis outage is a 503, not an empty stream.
        const first = await calling('redis', readStats());
        return streams.response(request.signal, (sink) => {
          sink.send('stats', first);
          return feed.subscribe((snapshot) => sink.send('stats', snapshot));
        });
      },
      { detail: adminDocs.statsEvents },
    )
    .get(
      '/api/admin/dead',
      async ({ query }) => {
        const limit = parseLimit(query.limit);
        const { items, more } = await calling('redis', deadLetters.list(limit, query.cursor));
        const headers: Record<string, string> = {};
        const last = items.at(-1);
        if (more && last) {
          headers.link = `<${publicBaseUrl(config)}/api/admin/dead?limit=${limit}&cursor=${last.entry_id}>; rel="next"`;
        }
        return json(200, items, headers);
      },
      { detail: adminDocs.deadList },
    )
    .post(
      '/api/admin/dead/:entryId/retry',
      async ({ params }) => json(200, await calling('redis', deadLetters.retry(params.entryId))),
      { detail: adminDocs.retry },
    )
    .delete(
      '/api/admin/dead/:entryId',
      async ({ params }) => {
        await calling('redis', deadLetters.discard(params.entryId));
        return new Response(null, { status: 204 });
      },
      { detail: adminDocs.discard },
    );
}
