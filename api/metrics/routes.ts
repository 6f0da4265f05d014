import { Elysia } from 'elysia';
import type { Registry } from 'prom-client';
import { calling } from '../../shared/unavailable.ts';
import { errorResponse } from '../docs.ts';

/** `GET /metrics` in the Prometheus text format. */
export function metricsRoute(registry: Registry) {
  return new Elysia({ name: 'metrics' }).get(
    '/metrics',
    async () => new Response(await calling('redis', registry.metrics()), { headers: { 'content-type': registry.contentType } }),
    {
      detail: {
        tags: ['health'],
        summary: 'Prometheus metrics',
        description:
          "This process's requests (`kadr_http_requests_total`, `kadr_http_request_duration_seconds`) and, read from " +
          'Redis at scrape time so they cover every worker, `kadr_jobs_total`, `kadr_job_errors_total`, ' +
          '`kadr_stage_duration_seconds`, `kadr_stream_length` and `kadr_stream_pending`.',
        responses: {
          200: {
            description: 'the metrics in the Prometheus text format (version 0.0.4)',
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
          503: errorResponse('Redis is unavailable (`redis_unavailable`)'),
        },
      },
    },
  );
}
