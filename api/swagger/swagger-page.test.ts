import { describe, expect, test } from 'bun:test';
import { loadConfig } from '../../shared/config.ts';
import { openApiApp } from './openapi-document.ts';

const app = openApiApp(loadConfig({}));
const get = (path: string) => app.handle(new Request(`http://kadr.test${path}`));

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
/** An attribute's value as a browser reads it: up to the closing quote, entities decoded. */
function attribute(html: string, tag: RegExp, name: string): string | undefined {
  const element = html.match(tag)?.[0];
  const raw = element?.match(new RegExp(`\\s${name}="([^"]*)"`))?.[1];
  return raw?.replace(/&(amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e]!);
}

describe('the Swagger UI page', () => {
  test('its meta description is the whole API description, quotes included', async () => {
    const doc = (await (await get('/swagger/json')).json()) as { info: { description: string } };
    expect(doc.info.description).toContain('"error"');
    const html = await (await get('/swagger')).text();
    expect(attribute(html, /<meta\s+name="description"[^>]*>/, 'content')).toBe(doc.info.description);
  });

  test('opened as /swagger or /swagger/, its assets resolve to /swagger/assets/ and nothing comes from elsewhere', async () => {
    for (const path of ['/swagger', '/swagger/']) {
      const html = await (await get(path)).text();
      const sources = [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((m) => new URL(m[1]!, `http://kadr.test${path}`));
      expect(sources.length).toBeGreaterThanOrEqual(3);
      for (const url of sources) {
        expect(url.origin).toBe('http://kadr.test');
        expect(url.pathname).toStartWith('/swagger/assets/');
        expect((await get(url.pathname)).status).toBe(200);
      }
    }
  });

  test('it is served with the pages\' strict CSP, and serves only its own assets', async () => {
    const res = await get('/swagger');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    expect((await get('/swagger/assets/package.json')).status).toBe(404);
    expect((await get('/swagger/assets/__proto__')).status).toBe(404);
    expect((await get('/swagger/assets/swagger-ui-bundle.js')).headers.get('content-type')).toContain('text/javascript');
  });
});
