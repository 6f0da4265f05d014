import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Elysia } from 'elysia';
import { NotFoundError } from '../../shared/errors.ts';
import { PAGE_HEADERS } from '../pages/routes.ts';

// Swagger UI's own files, from the npm package: nothing is fetched from a CDN,
// so /swagger works without internet.
const DIST_DIR = dirname(fileURLToPath(import.meta.resolve('swagger-ui-dist/package.json'))) + '/';
const INIT = fileURLToPath(new URL('./swagger-init.js', import.meta.url));

/** Only these files are served, by name. */
const ASSETS = new Map([
  ['swagger-ui-bundle.js', { path: DIST_DIR + 'swagger-ui-bundle.js', type: 'text/javascript; charset=utf-8' }],
  ['swagger-ui.css', { path: DIST_DIR + 'swagger-ui.css', type: 'text/css; charset=utf-8' }],
  ['favicon-32x32.png', { path: DIST_DIR + 'favicon-32x32.png', type: 'image/png' }],
  ['swagger-init.js', { path: INIT, type: 'text/javascript; charset=utf-8' }],
]);

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for an HTML attribute or element body. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/**
 * The page's HTML. `base` is how its assets are reached from the page's own
 * URL: relative, so the page works behind a proxy that mounts the API under
 * a prefix, whether it was opened as `/swagger` or `/swagger/`.
 */
function swaggerPage(info: { title: string; description: string }, base: string): string {
  const title = escapeHtml(info.title);
  const description = escapeHtml(info.description);
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${title} API</title>
  <meta name="description" content="${description}">
  <meta name="og:description" content="${description}">
  <link rel="icon" href="${base}assets/favicon-32x32.png">
  <link rel="stylesheet" href="${base}assets/swagger-ui.css">
  <script src="${base}assets/swagger-ui-bundle.js" defer></script>
  <script src="${base}assets/swagger-init.js" defer></script>
</head>
<body>
  <div id="swagger-ui"></div>
</body>
</html>
`;
}

/**
 * Swagger UI at `/swagger` (and `/swagger/`), its assets under
 * `/swagger/assets/`, all with the pages' strict CSP: no inline script or
 * style, nothing loaded from elsewhere. The document itself is
 * `/swagger/json` (@elysiajs/swagger); these routes are registered after that
 * plugin, so this page replaces the plugin's, which loads from a CDN.
 */
export function swaggerPageRoutes(info: { title: string; description: string }) {
  const hide = { detail: { hide: true } };
  const headers = { ...PAGE_HEADERS, 'content-type': 'text/html; charset=utf-8' };
  const atRoot = swaggerPage(info, 'swagger/');
  const inFolder = swaggerPage(info, '');
  return new Elysia({ name: 'swagger-page' })
    .get('/swagger', ({ request }) => new Response(new URL(request.url).pathname.endsWith('/') ? inFolder : atRoot, { headers }), hide)
    .get(
      '/swagger/assets/:file',
      ({ params }) => {
        const asset = ASSETS.get(params.file);
        if (!asset) throw new NotFoundError(`no file "${params.file}"`);
        return new Response(Bun.file(asset.path), { headers: { ...PAGE_HEADERS, 'content-type': asset.type } });
      },
      hide,
    );
}
