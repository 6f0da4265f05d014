import { describe, expect, test } from 'bun:test';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { dropJpeg, screenshot } from '../support/browser.ts';
import { useBrowser } from '../support/use-browser.ts';
import { readZip } from '../support/zip.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const GOOD = ['cat-640x480.jpg', 'coffee-1920x1280.jpg', 'rocket-480x640.jpg'].map(fixture);
const DESCRIPTION = '<i>Holiday</i> & "friends"';

const use = useBrowser();

describe('the page\'s batch mode in Chromium', () => {
  test('four photos sent as one batch show their progress live to complete, the broken one its reason, and the ZIP downloads', async () => {
    await use.onPage('page-batch', async (page, problems) => {
      const requests: string[] = [];
      page.on('request', (r) => requests.push(`${r.method()} ${new URL(r.url()).pathname}`));
      let loads = 0;
      page.on('load', () => loads++);

      // The mode is switched from the keyboard; one description field then serves every photo.
      await page.getByLabel('Send as one batch (ZIP)').focus();
      await page.keyboard.press('Space');
      expect(await page.getByLabel('Send as one batch (ZIP)').isChecked()).toBe(true);
      await page.setInputFiles('#files', GOOD);
      // The fourth photo is dropped: the first 2 KiB of a JPEG, which the API accepts and no decoder can read.
      await dropJpeg(page, '#drop-zone', 'truncated.jpg', (await Bun.file(GOOD[0]!).bytes()).subarray(0, 2048));
      expect(await page.locator('#chosen li').count()).toBe(4);
      expect(await page.locator('#chosen textarea:visible').count()).toBe(0);
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('batch-description');
      await page.getByLabel('Description for all photos').fill(DESCRIPTION);
      await page.locator('summary', { hasText: 'Advanced' }).click();
      await page.getByLabel('Operations (JSON, optional)').fill('[{"op":"resize","width":320}]');

      // Every value the progress bar takes, as the page sets it.
      const progressSeen: number[] = [];
      await page.exposeFunction('recordProgress', (v: number) => void progressSeen.push(v));
      await page.evaluate(() => {
        new MutationObserver(() => {
          const bar = document.querySelector('#batches progress') as HTMLProgressElement | null;
          if (bar) (window as unknown as { recordProgress(v: number): void }).recordProgress(bar.value);
        }).observe(document.getElementById('batches')!, { subtree: true, childList: true, characterData: true, attributes: true });
      });
      await page.getByRole('button', { name: 'Upload batch' }).click();

      const panel = page.locator('#batches li.batch').first();
      await panel.and(page.locator('[data-status="complete"]')).waitFor({ timeout: 30_000 });
      const id = await panel.getAttribute('data-id');
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(loads).toBe(0);
      // One POST for the four photos, then pushed over the batch's event stream, never polled.
      expect(requests.filter((r) => r === 'POST /api/batches')).toHaveLength(1);
      expect(requests.filter((r) => r.startsWith('POST /api/images'))).toEqual([]);
      expect(requests).toContain(`GET /api/batches/${id}/events`);
      expect(requests).not.toContain(`GET /api/batches/${id}`);
      expect(progressSeen.at(-1)).toBe(4);

      const count = (s: string) => panel.locator(`dd[data-count="${s}"]`).textContent();
      expect([await count('queued'), await count('processing'), await count('done'), await count('failed')]).toEqual(['0', '0', '3', '1']);
      const bar = panel.getByRole('progressbar', { name: 'Batch progress' });
      expect(await bar.getAttribute('aria-valuetext')).toBe('4 of 4 finished');
      expect(await panel.getByRole('status').textContent()).toBe('Complete: 3 done, 1 failed. The ZIP is ready.');

      const rows = panel.locator('.batch-jobs li');
      expect(await rows.locator('.name').allTextContents()).toEqual(['cat-640x480.jpg', 'coffee-1920x1280.jpg', 'rocket-480x640.jpg', 'truncated.jpg']);
      expect(await rows.locator('.status').allTextContents()).toEqual(['done', 'done', 'done', 'failed']);
      expect(await rows.nth(3).locator('.detail').textContent()).toMatch(/^Reason: .+ \(image_undecodable\)$/);

      const link = panel.getByRole('link', { name: 'Download ZIP' });
      // Relative, as the API hands it out (never an absolute URL built from the request's Host).
      expect(await link.getAttribute('href')).toBe(`/api/batches/${id}/archive`);
      expect(Date.parse((await panel.locator('.batch-download time').getAttribute('datetime'))!)).toBeGreaterThan(Date.now());
      const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
      const zip = await readFile((await download.path())!);
      expect(zip.subarray(0, 2).toString('latin1')).toBe('PK');
      const entries = await readZip(zip);
      const names = [...entries.keys()];
      expect(names.filter((n) => n.endsWith('.jpg'))).toHaveLength(3);
      expect(names).toContain('failed.txt');
      expect(names).toHaveLength(4);
      expect(entries.get('failed.txt')!.toString('utf8')).toContain('image_undecodable');
      // The operations were sent with the batch and applied to every photo.
      for (const name of names.filter((n) => n.endsWith('.jpg'))) expect((await sharp(entries.get(name)!).metadata()).width).toBe(320);

      await screenshot(page, 'page-batch-complete');

      // The single-upload mode is back as it was once the box is cleared.
      await page.getByLabel('Send as one batch (ZIP)').uncheck();
      expect(await page.getByRole('button', { name: 'Upload', exact: true }).count()).toBe(1);
      expect(await page.locator('#batch-description').isVisible()).toBe(false);
      expect(problems).toEqual([]);
    });
  }, 60_000);

  test('a batch without a description is held back with the focus on the field, and a refused batch shows the API\'s reason', async () => {
    await use.onPage('page-batch-refused', async (page, problems) => {
      await page.getByLabel('Send as one batch (ZIP)').check();
      await page.setInputFiles('#files', [
        { name: 'cat.jpg', mimeType: 'image/jpeg', buffer: Buffer.from(await Bun.file(GOOD[0]!).bytes()) },
        { name: 'notes.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('not a photo at all') },
      ]);
      await page.getByRole('button', { name: 'Upload batch' }).click();
      expect(await page.locator('#form-error').textContent()).toBe('Please give the batch a description.');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('batch-description');
      expect(await page.locator('#batches-section').isVisible()).toBe(false);

      await page.keyboard.type('two photos');
      await page.getByRole('button', { name: 'Upload batch' }).click();
      const panel = page.locator('#batches li.batch[data-status="refused"]');
      await panel.waitFor({ timeout: 10_000 });
      // Refused whole: the part at fault is named from 0, and nothing was queued.
      expect(await panel.getByRole('status').textContent()).toStartWith('Not accepted: image[1]:');
      expect(await panel.locator('.status').allTextContents()).toEqual(['not sent', 'not sent']);
      expect(await panel.getByRole('link', { name: 'Download ZIP' }).count()).toBe(0);
      expect(problems.filter((p) => !p.includes('415'))).toEqual([]);
    });
  }, 30_000);
});
