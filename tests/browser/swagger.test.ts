import { describe, expect, test } from 'bun:test';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from 'playwright-core';
import sharp from 'sharp';
import { screenshot } from '../support/browser.ts';
import { useBrowser } from '../support/use-browser.ts';

const CAT = fileURLToPath(new URL('../fixtures/cat-640x480.jpg', import.meta.url));
const ROCKET = fileURLToPath(new URL('../fixtures/rocket-480x640.jpg', import.meta.url));

const use = useBrowser();

interface SwaggerPage {
  page: Page;
  /** Requests the page tried to send anywhere but the API's loopback address (all refused). */
  outside: string[];
  /** Uncaught errors, console errors and Content-Security-Policy violations. */
  problems: string[];
}

/**
 * Opens Swagger UI at `path` with no network but loopback: every other
 * request is refused and recorded, so a CDN or validator call would show.
 */
async function openSwagger(path: string, body: (s: SwaggerPage) => Promise<void>, name: string): Promise<void> {
  const { system, browser } = use;
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const outside: string[] = [];
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`uncaught: ${err.message}`));
  page.on('console', (msg) => {
    // A 4xx answer to Try it out is logged by Chromium as a console error; the answers are checked themselves.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource: the server responded')) problems.push(`console: ${msg.text()}`);
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === '127.0.0.1' || url.protocol === 'data:' || url.protocol === 'blob:') return route.continue();
    outside.push(url.href);
    return route.abort('internetdisconnected');
  });
  try {
    await page.goto(`${system.baseUrl}${path}`);
    await body({ page, outside, problems });
    await screenshot(page, name);
  } catch (err) {
    await screenshot(page, `${name}-failure`).catch(() => {});
    throw err;
  } finally {
    await page.close();
  }
}

/** Opens an operation's block and presses "Try it out"; returns the block and its request body form. */
async function tryItOut(page: Page, id: string): Promise<{ op: Locator; form: Locator }> {
  const op = page.locator(`#operations-${id}`);
  await op.waitFor({ timeout: 20_000 });
  await op.locator('.opblock-summary-control').click();
  await op.getByRole('button', { name: 'Try it out' }).click();
  return { op, form: op.locator('.opblock-section-request-body') };
}

const field = (form: Locator, name: string) => form.locator(`tr[data-property-name="${name}"]`);
const textInput = (form: Locator, name: string) => field(form, name).locator('input[type=text]');

/** Presses Execute and waits for the API's answer, and for the page to show its status. */
async function execute(s: SwaggerPage, op: Locator, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const [res] = await Promise.all([
    s.page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === path, { timeout: 20_000 }),
    op.getByRole('button', { name: 'Execute' }).click(),
  ]);
  const status = res.status();
  await op.locator('.live-responses-table tbody .response-col_status', { hasText: String(status) }).first().waitFor({ timeout: 20_000 });
  const body = (await res.json()) as Record<string, unknown>;
  if (status !== 202) console.error(`POST ${path} answered ${status}: ${JSON.stringify(body)}`);
  return { status, body };
}

/** The job reaches done: the upload was processed, not only accepted. */
async function waitDone(id: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 200; i++) {
    const status = (await (await fetch(`${use.system.baseUrl}/api/images/${id}/status`)).json()) as Record<string, unknown>;
    if (status.status === 'done' || status.status === 'failed') return status;
    await Bun.sleep(100);
  }
  throw new Error(`job ${id} did not finish`);
}

describe('Swagger UI, served by the API itself, offline', () => {
  test('the page loads every asset from the API under the strict CSP, with the document, and nothing from elsewhere', async () => {
    await openSwagger('/swagger', async ({ page, outside, problems }) => {
      await page.locator('#operations-images-postApiImages').waitFor({ timeout: 20_000 });
      const doc = (await (await fetch(`${use.system.baseUrl}/swagger/json`)).json()) as { info: { description: string } };
      // The description holds quotes: escaped, the meta tag carries all of it.
      expect(doc.info.description).toContain('"error"');
      expect(await page.locator('meta[name="description"]').getAttribute('content')).toBe(doc.info.description);
      expect(await page.locator('.info .title').textContent()).toContain('kadr');
      expect(outside).toEqual([]);
      expect(problems).toEqual([]);
    }, 'swagger');
    const res = await fetch(`${use.system.baseUrl}/swagger`);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('content-security-policy')).toContain("style-src 'self'");
    const html = await res.text();
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\sstyle=|<style/);
  }, 60_000);

  test('opened as /swagger/ (trailing slash), the page finds its assets and the document', async () => {
    await openSwagger('/swagger/', async ({ page, outside, problems }) => {
      await page.locator('#operations-images-postApiImages').waitFor({ timeout: 20_000 });
      expect(await page.locator('.errors-wrapper').count()).toBe(0);
      expect(outside).toEqual([]);
      expect(problems).toEqual([]);
    }, 'swagger-slash');
  }, 60_000);

  test('"Try it out" uploads a photo through POST /api/images with only the required fields, and with operations', async () => {
    await openSwagger('/swagger', async (s) => {
      const { op, form } = await tryItOut(s.page, 'images-postApiImages');
      await field(form, 'image').locator('input[type=file]').setInputFiles(CAT);
      await textInput(form, 'description').fill('a cat, from Swagger UI');
      const plain = await execute(s, op, '/api/images');
      expect([plain.status, plain.body.status]).toEqual([202, 'queued']);
      // Untouched, operations is no pipeline: the default caption keeps the photo's width.
      const captioned = await waitDone(plain.body.id as string);
      expect(captioned.status).toBe('done');

      // Each item of the list input is one step's JSON.
      const steps = field(form, 'operations');
      await steps.getByRole('button', { name: /Add\s+item/ }).click();
      await steps.getByRole('button', { name: /Add\s+item/ }).click();
      await steps.locator('input[type=text]').nth(0).fill('{"op":"resize","width":100}');
      await steps.locator('input[type=text]').nth(1).fill('{"op":"grayscale"}');
      const resized = await execute(s, op, '/api/images');
      expect([resized.status, resized.body.status]).toEqual([202, 'queued']);
      expect((await waitDone(resized.body.id as string)).status).toBe('done');
      const image = await fetch(`${use.system.baseUrl}/api/images/${resized.body.id}`);
      const meta = await sharp(new Uint8Array(await image.arrayBuffer())).metadata();
      expect(meta.width).toBe(100);
      expect(s.outside).toEqual([]);
      expect(s.problems).toEqual([]);
    }, 'swagger-images');
  }, 90_000);

  test('"Try it out" uploads through each shortcut with only what the operation needs filled in', async () => {
    await openSwagger('/swagger', async (s) => {
      const shortcuts: Array<[string, string, (form: Locator) => Promise<void>]> = [
        ['operations-postApiCrop', '/api/crop', (form) => textInput(form, 'aspect').fill('1:1')],
        ['operations-postApiResize', '/api/resize', (form) => textInput(form, 'width').fill('200')],
        ['operations-postApiGrayscale', '/api/grayscale', async () => {}],
        ['operations-postApiWatermark', '/api/watermark', (form) => textInput(form, 'text').fill('kadr')],
      ];
      for (const [id, path, fill] of shortcuts) {
        const { op, form } = await tryItOut(s.page, id);
        await field(form, 'image').locator('input[type=file]').setInputFiles(CAT);
        await fill(form);
        const answer = await execute(s, op, path);
        expect([path, answer.status, answer.body.status]).toEqual([path, 202, 'queued']);
        expect([path, (await waitDone(answer.body.id as string)).status]).toEqual([path, 'done']);
      }
      // The watermark's own file comes as its `mark` part (the block is still open from above).
      const watermark = s.page.locator('#operations-operations-postApiWatermark');
      const form = watermark.locator('.opblock-section-request-body');
      await field(form, 'mark').locator('input[type=file]').setInputFiles(ROCKET);
      await textInput(form, 'text').fill('');
      const marked = await execute(s, watermark, '/api/watermark');
      expect([marked.status, marked.body.status]).toEqual([202, 'queued']);
      expect((await waitDone(marked.body.id as string)).status).toBe('done');
      expect(s.outside).toEqual([]);
      expect(s.problems).toEqual([]);
    }, 'swagger-shortcuts');
  }, 120_000);

  test('"Try it out" uploads a batch through POST /api/batches', async () => {
    await openSwagger('/swagger', async (s) => {
      const { op, form } = await tryItOut(s.page, 'batches-postApiBatches');
      await field(form, 'image').getByRole('button', { name: /Add\s+string\s+item/ }).click();
      await field(form, 'image').getByRole('button', { name: /Add\s+string\s+item/ }).click();
      const files = field(form, 'image').locator('input[type=file]');
      await files.nth(0).setInputFiles(CAT);
      await files.nth(1).setInputFiles(ROCKET);
      await field(form, 'description').getByRole('button', { name: /Add\s+string\s+item/ }).click();
      await textInput(form, 'description').fill('two photos, from Swagger UI');
      await field(form, 'operations').getByRole('button', { name: /Add\s+item/ }).click();
      await field(form, 'operations').locator('input[type=text]').fill('{"op":"flip"}');
      const answer = await execute(s, op, '/api/batches');
      expect([answer.status, answer.body.status, answer.body.image_count]).toEqual([202, 'queued', 2]);
      expect(s.outside).toEqual([]);
      expect(s.problems).toEqual([]);
    }, 'swagger-batches');
  }, 90_000);
});
