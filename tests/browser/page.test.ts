import { describe, expect, test } from 'bun:test';
import { fileURLToPath } from 'node:url';
import { dropJpeg } from '../support/browser.ts';
import { useBrowser } from '../support/use-browser.ts';

const CAT = fileURLToPath(new URL('../fixtures/cat-640x480.jpg', import.meta.url));
// Markup and quotes: the page must show them as text, never as HTML.
const DESCRIPTION = '<b>A cat</b> on the sill & "quotes"';

const use = useBrowser();
const onPage = use.onPage;

describe('the upload page in Chromium', () => {
  test('a photo uploaded through the file picker goes live to done without a reload, then shows in the gallery', async () => {
    await onPage('page', async (page, problems) => {
      const requests: string[] = [];
      page.on('request', (r) => requests.push(new URL(r.url()).pathname));
      let loads = 0;
      page.on('load', () => loads++);
      // Every status the upload's row shows, as the page changes it.
      await page.exposeFunction('recordStatus', (s: string) => void seen.push(s));
      const seen: string[] = [];
      await page.evaluate(() => {
        const list = document.getElementById('uploads')!;
        new MutationObserver(() => {
          const status = list.querySelector('.status')?.textContent ?? '';
          (window as unknown as { recordStatus(s: string): void }).recordStatus(status);
        }).observe(list, { subtree: true, childList: true, characterData: true });
      });

      await page.setInputFiles('#files', CAT);
      await page.getByLabel('Description for cat-640x480.jpg').fill(DESCRIPTION);
      await page.getByRole('button', { name: 'Upload' }).click();

      const row = page.locator('#uploads li').first();
      await row.locator('.status[data-status="done"]').waitFor({ timeout: 20_000 });
      const id = await row.getAttribute('data-id');
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(loads).toBe(0);
      expect(seen).toContain('done');
      expect(seen.indexOf('queued')).toBeLessThan(seen.indexOf('done'));
      // Pushed by the server over one event stream, not polled.
      expect(requests.filter((p) => p.endsWith('/status'))).toEqual([]);
      expect(requests.filter((p) => p === '/api/images/events').length).toBeGreaterThanOrEqual(1);

      const card = page.locator(`#gallery li[data-id="${id}"]`);
      await card.waitFor({ timeout: 10_000 });
      expect(await card.locator('.description').textContent()).toBe(DESCRIPTION);
      expect(await card.locator('b').count()).toBe(0);
      expect(await card.locator('time').getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);
      const img = card.locator('img');
      expect(await img.getAttribute('alt')).toBe(DESCRIPTION);
      await page.waitForFunction((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0, await img.elementHandle());
      // The gallery shows the thumbnail (at most 320 px), the link opens the image full size.
      expect(await img.getAttribute('src')).toBe(`/api/images/${id}/thumbnail`);
      // The captioned 640 px photo (its band under it) at 320 px: its own width and height attributes keep the box's shape.
      const [w, h] = [Number(await img.getAttribute('width')), Number(await img.getAttribute('height'))];
      expect(w).toBe(640);
      expect(await img.evaluate((el) => [(el as HTMLImageElement).naturalWidth, (el as HTMLImageElement).naturalHeight])).toEqual([320, Math.round((320 * h) / w)]);
      expect(await card.locator('a').getAttribute('href')).toBe(`/api/images/${id}`);
      expect(problems).toEqual([]);
    });
  }, 40_000);

  test('a photo dropped on the page whose image is broken ends failed, with one clear sentence as its reason', async () => {
    await onPage('page-failed', async (page, problems) => {
      await dropJpeg(page, '#drop-zone', 'truncated.jpg', (await Bun.file(CAT).bytes()).subarray(0, 600));
      await page.getByLabel('Description for truncated.jpg').fill('half a photo');
      await page.getByRole('button', { name: 'Upload' }).click();
      const row = page.locator('#uploads li').first();
      await row.locator('.status[data-status="failed"]').waitFor({ timeout: 20_000 });
      const detail = await row.locator('.detail').textContent();
      expect(detail).toBe('Reason: The image file is cut short or damaged and cannot be decoded. (image_undecodable)');
      expect(detail).not.toContain('Vips');
      expect(problems).toEqual([]);
    });
  }, 40_000);

  test('the page can be used from the keyboard: the file picker, the description and the button are labelled and focusable', async () => {
    await onPage('page-keyboard', async (page) => {
      await page.keyboard.press('Tab'); // skip link
      await page.keyboard.press('Tab'); // Upload
      await page.keyboard.press('Tab'); // Dashboard
      await page.keyboard.press('Tab'); // API
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('files');
      await page.setInputFiles('#files', CAT);
      // Choosing a photo moves the focus to its description.
      expect(await page.evaluate(() => document.activeElement?.getAttribute('id'))).toMatch(/^description-/);
      await page.keyboard.type('typed description');
      await page.keyboard.press('Tab'); // Remove
      await page.keyboard.press('Tab'); // Send as one batch
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('batch-mode');
      await page.keyboard.press('Tab'); // the operation to add
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('op-picker');
      await page.keyboard.press('Tab'); // Add step
      await page.keyboard.press('Tab'); // the JSON preview
      await page.keyboard.press('Tab'); // Advanced
      await page.keyboard.press('Tab'); // Upload
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Upload');
      await page.keyboard.press('Enter');
      await page.locator('#uploads li .status[data-status="done"]').waitFor({ timeout: 20_000 });
    });
  }, 40_000);

  test('the gallery shows 12 thumbnails at a time, newest first, never the full images, and loads the next page on request', async () => {
    const cat = await Bun.file(CAT).bytes();
    const ids: string[] = [];
    for (let i = 0; i < 13; i++) {
      const form = new FormData();
      form.append('image', new Blob([cat], { type: 'image/jpeg' }), 'cat.jpg');
      form.append('description', `gallery ${i}`);
      ids.push(((await (await fetch(`${use.system.baseUrl}/api/images`, { method: 'POST', body: form })).json()) as { id: string }).id);
    }
    for (const id of ids) await use.system.waitForJob(id);
    await onPage('page-gallery', async (page, problems) => {
      const fullSize: string[] = [];
      page.on('request', (r) => fullSize.push(new URL(r.url()).pathname));
      await page.reload();
      const cards = page.locator('#gallery li');
      await page.locator('#gallery-more').waitFor();
      expect(await cards.count()).toBe(12);
      expect(await cards.first().getAttribute('data-id')).toBe(ids.at(-1)!);
      const total = ((await (await fetch(`${use.system.baseUrl}/api/images?limit=500`)).json()) as unknown[]).length;
      await page.getByRole('button', { name: 'Load more' }).click();
      await page.waitForFunction((n) => document.querySelectorAll('#gallery li').length === n, Math.min(total, 24));
      if (total <= 24) await page.locator('#gallery-more').waitFor({ state: 'hidden' });
      expect(new Set(await cards.evaluateAll((els) => els.map((e) => e.getAttribute('data-id')))).size).toBe(await cards.count());
      // Every picture is its thumbnail, at most 320 px, and no full-size image was fetched for the gallery.
      await page.evaluate(() => Promise.all([...document.querySelectorAll('#gallery img')].map((i) => (i as HTMLImageElement).decode())));
      const shown = await page.locator('#gallery img').evaluateAll((els) =>
        els.map((e) => ({ src: e.getAttribute('src') ?? '', side: Math.max((e as HTMLImageElement).naturalWidth, (e as HTMLImageElement).naturalHeight) })));
      expect(shown.filter((i) => !/^\/api\/images\/[0-9a-f-]{36}\/thumbnail$/.test(i.src) || i.side === 0 || i.side > 320)).toEqual([]);
      expect(fullSize.filter((p) => /^\/api\/images\/[0-9a-f-]{36}$/.test(p))).toEqual([]);
      expect(problems).toEqual([]);
    });
  }, 60_000);
});
