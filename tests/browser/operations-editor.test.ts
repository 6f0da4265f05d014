import { describe, expect, test } from 'bun:test';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { ARTIFACTS } from '../support/browser.ts';
import { useBrowser } from '../support/use-browser.ts';

const CAT = fileURLToPath(new URL('../fixtures/cat-640x480.jpg', import.meta.url));

const use = useBrowser();

async function addStep(page: Page, op: string) {
  await page.locator('#op-picker').selectOption(op);
  await page.getByRole('button', { name: 'Add step' }).click();
}

const step = (page: Page, op: string) => page.locator(`#steps li[data-op="${op}"]`);

/** The uploads the page sent (POST /api/images), counted as they leave. */
function uploadsSent(page: Page): string[] {
  const sent: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/images') sent.push(r.url());
  });
  return sent;
}

async function choosePhoto(page: Page, description: string) {
  await page.setInputFiles('#files', CAT);
  await page.getByLabel('Description for cat-640x480.jpg').fill(description);
}

describe('the operations editor in Chromium', () => {
  test('builds a pipeline without typing JSON: add, set values, reorder from the keyboard, remove; the upload is processed so', async () => {
    await use.onPage('editor-pipeline', async (page, problems) => {
      await page.locator('#op-picker option[value="resize"]').waitFor({ state: 'attached' });
      await addStep(page, 'grayscale');
      await addStep(page, 'flip');
      await addStep(page, 'resize');
      // The new step's first field has the focus.
      expect(await page.evaluate(() => document.activeElement?.id)).toMatch(/^step-\d+-width$/);
      await step(page, 'resize').getByLabel('width', { exact: true }).fill('200');
      await step(page, 'resize').getByLabel('fit').selectOption('inside');
      // Up twice, from the keyboard: resize becomes the first step, the focus stays on its button.
      await page.getByRole('button', { name: 'Move step 3 (resize) up' }).focus();
      await page.keyboard.press('Enter');
      expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Move step 2 (resize) up');
      await page.keyboard.press('Enter');
      expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Move step 1 (resize) down');
      await page.getByRole('button', { name: 'Remove step 3 (flip)' }).click();
      await addStep(page, 'format');
      await step(page, 'format').getByLabel('type (required)').selectOption('png');
      expect(await page.locator('#steps legend').allTextContents()).toEqual(['Step 1: resize', 'Step 2: grayscale', 'Step 3: format']);

      const expected = [{ op: 'resize', width: 200, fit: 'inside' }, { op: 'grayscale' }, { op: 'format', type: 'png' }];
      expect(JSON.parse((await page.locator('#ops-preview').textContent())!)).toEqual(expected);

      const sent = uploadsSent(page);
      await choosePhoto(page, 'a small grey cat');
      await page.locator('#upload-form').screenshot({ path: `${ARTIFACTS}page-editor.png` });
      await page.getByRole('button', { name: 'Upload' }).click();
      const row = page.locator('#uploads li').first();
      await row.locator('.status[data-status="done"]').waitFor({ timeout: 30_000 });
      expect(sent).toHaveLength(1);
      const id = (await row.getAttribute('data-id'))!;
      const image = await fetch(`${use.system.baseUrl}/api/images/${id}`);
      expect(image.headers.get('content-type')).toBe('image/png');
      const { data, info } = await sharp(Buffer.from(await image.arrayBuffer())).raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height]).toEqual([200, 150]);
      // Grayscale: every pixel's channels agree (or there is only one).
      let coloured = 0;
      for (let i = 0; info.channels >= 3 && i < data.length; i += info.channels) if (data[i] !== data[i + 1] || data[i] !== data[i + 2]) coloured++;
      expect(coloured).toBe(0);
      // A finished upload leaves the editor's list of operations as it was: each once.
      const offered = await page.locator('#op-picker option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
      expect(offered.filter((op) => op === 'resize')).toEqual(['resize']);
      expect(new Set(offered).size).toBe(offered.length);
      expect(problems).toEqual([]);
    });
  }, 60_000);

  test('an out-of-range value is shown at its field, and nothing is sent until it is fixed', async () => {
    await use.onPage('editor-range', async (page, problems) => {
      await page.locator('#op-picker option[value="resize"]').waitFor({ state: 'attached' });
      await addStep(page, 'resize');
      const width = step(page, 'resize').getByLabel('width', { exact: true });
      await width.fill('20000');
      const error = step(page, 'resize').locator('[data-param="width"] .field-error');
      expect(await error.textContent()).toBe('width must be between 1 and 16384');
      expect(await width.getAttribute('aria-invalid')).toBe('true');
      expect(await width.getAttribute('max')).toBe('16384');

      const sent = uploadsSent(page);
      await choosePhoto(page, 'too wide');
      await page.getByRole('button', { name: 'Upload' }).click();
      expect(await page.locator('#form-error').textContent()).toBe('Some step values are not valid; see the fields marked.');
      expect(await width.evaluate((el) => el === document.activeElement)).toBe(true);
      expect(sent).toEqual([]);
      expect(await page.locator('#chosen li').count()).toBe(1);

      await width.fill('300');
      expect(await error.textContent()).toBe('');
      await page.getByRole('button', { name: 'Upload' }).click();
      await page.locator('#uploads li .status[data-status="done"]').waitFor({ timeout: 30_000 });
      expect(sent).toHaveLength(1);
      expect(problems).toEqual([]);
    });
  }, 60_000);

  test("a step the API refuses shows the API's own message at the field it names", async () => {
    await use.onPage('editor-refused', async (page, problems) => {
      await page.locator('#op-picker option[value="resize"]').waitFor({ state: 'attached' });
      await addStep(page, 'grayscale');
      // Each field is valid alone; the API's rule across them (width, height or both) is not met.
      await addStep(page, 'resize');
      await choosePhoto(page, 'no size');
      await page.getByRole('button', { name: 'Upload' }).click();
      const error = step(page, 'resize').locator('[data-param="width"] .field-error');
      await page.waitForFunction((el) => (el?.textContent ?? '') !== '', await error.elementHandle());
      expect(await error.textContent()).toBe('width give width, height or both');
      expect(await page.locator('#uploads li .status').first().textContent()).toBe('refused');
      expect(await step(page, 'resize').getByLabel('width', { exact: true }).evaluate((el) => el === document.activeElement)).toBe(true);
      expect(problems.filter((p) => !p.includes('422'))).toEqual([]);
    });
  }, 60_000);
});
