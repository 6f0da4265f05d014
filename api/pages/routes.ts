import { fileURLToPath } from 'node:url';
import { Elysia } from 'elysia';
import { NotFoundError } from '../../shared/errors.ts';
import { SECURITY_HEADERS } from '../http-errors.ts';

const WEB_DIR = fileURLToPath(new URL('../../web/', import.meta.url));

/**
 * Sent with the pages, Swagger UI (api/swagger/swagger-page.ts) and their
 * assets. No inline script or style is allowed anywhere, so an injected
 * description could not run even if it reached the DOM as HTML.
 */
export const PAGE_HEADERS = {
  ...SECURITY_HEADERS,
  'content-security-policy':
    "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'; connect-src 'self'; " +
    "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  // Pages change with deployments; revalidating costs little.
  'cache-control': 'no-cache',
} as const;

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
};

/** Only these files are served, by name: nothing else under web/ or beyond is reachable. */
const ASSETS = new Set([
  'app.js', 'operations-editor.js', 'schema-field.js', 'batch.js', 'batch-panel.js', 'gallery.js', 'watch.js', 'format.js', 'dashboard.js', 'events.js', 'throughput-chart.js', 'style.css', 'favicon.svg',
]);

function serve(name: string): Response {
  const type = TYPES[name.split('.').pop() ?? ''];
  if (!type) throw new NotFoundError(`no file "${name}"`);
  return new Response(Bun.file(WEB_DIR + name), { headers: { ...PAGE_HEADERS, 'content-type': type } });
}

/** The upload page at `/`, the dashboard at `/dashboard`, and their scripts and styles under `/web/`. */
export function pageRoutes() {
  const hide = { detail: { hide: true } };
  return new Elysia({ name: 'pages' })
    .get('/', () => serve('index.html'), hide)
    .get('/dashboard', () => serve('dashboard.html'), hide)
    .get(
      '/web/:file',
      ({ params }) => {
        if (!ASSETS.has(params.file)) throw new NotFoundError(`no file "${params.file}"`);
        return serve(params.file);
      },
      hide,
    );
}
