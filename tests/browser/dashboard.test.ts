import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, pageProblems, screenshot } from '../support/browser.ts';
import { FlakySource } from '../support/flaky-source.ts';
import { TestSystem } from '../support/system.ts';

const CAT = fileURLToPath(new URL('../fixtures/cat-640x480.jpg', import.meta.url));
const TOKEN = 'dashboard-test-token-0123456789';

let system: TestSystem;
let browser: Browser;
let page: Page;
let problems: string[];
let source: FlakySource;

async function upload(bytes: Uint8Array<ArrayBuffer>, description: string): Promise<string> {
  const form = new FormData();
  form.append('image', new Blob([bytes], { type: 'image/jpeg' }), 'photo.jpg');
  form.append('description', description);
  const res = await fetch(`${system.baseUrl}/api/images`, { method: 'POST', body: form });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

const admin = (path: string, init: RequestInit = {}) =>
  fetch(`${system.baseUrl}${path}`, { ...init, headers: { authorization: `Bearer ${TOKEN}` } });

interface Dead {
  entry_id: string;
  job_id: string;
  deliveries: number;
  error: { code: string };
}
const deadLetters = async () => (await (await admin('/api/admin/dead')).json()) as Dead[];

/**
 * Waits until `#id`'s number is within [min, max], as the pushed statistics
 * change it, and returns it. (The page's CSP forbids eval, so the bounds are
 * passed as data rather than as a predicate.)
 */
async function counter(id: string, min: number, max = Number.MAX_SAFE_INTEGER, timeout = 15_000): Promise<number> {
  const handle = await page.waitForFunction(
    ([sel, lo, hi]) => {
      const text = document.getElementById(sel as string)?.textContent ?? '';
      const n = Number(text);
      // An object, because a count of 0 is falsy and would keep waitForFunction waiting.
      return text !== '' && n >= (lo as number) && n <= (hi as number) ? { n } : false;
    },
    [id, min, max] as const,
    { timeout },
  );
  return ((await handle.jsonValue()) as { n: number }).n;
}

beforeAll(async () => {
  source = FlakySource.start(new Uint8Array(await Bun.file(CAT).arrayBuffer()));
  system = await TestSystem.start({ env: { ADMIN_TOKEN: TOKEN, ...source.env() } });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  problems = pageProblems(page);
}, 60_000);

afterAll(async () => {
  source?.stop();
  await browser?.close();
  await system?.stop();
});

/** Takes a screenshot after `body`, and one under `<name>-failure` if it throws. */
async function shooting(name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
    await screenshot(page, name);
  } catch (err) {
    await screenshot(page, `${name}-failure`).catch(() => {});
    throw err;
  }
}

describe('the dashboard in Chromium, with ADMIN_TOKEN set', () => {
  test('every admin endpoint answers 401 unauthorized without the token, and a wrong one', async () => {
    const calls: Array<[string, string]> = [
      ['GET', '/api/admin/stats'],
      ['GET', '/api/admin/stats/events'],
      ['GET', '/api/admin/dead'],
      ['POST', '/api/admin/dead/1-0/retry'],
      ['DELETE', '/api/admin/dead/1-0'],
    ];
    for (const [method, path] of calls) {
      for (const headers of [{}, { authorization: 'Bearer not-the-token-at-all' }] as Array<Record<string, string>>) {
        const res = await fetch(`${system.baseUrl}${path}`, { method, headers });
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toContain('Bearer');
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
      }
    }
    expect((await admin('/api/admin/stats')).status).toBe(200);
  });

  test('the dashboard asks for the token, then its counters move as photos are processed', async () => {
    await shooting('dashboard', async () => {
      await page.goto(`${system.baseUrl}/dashboard`);
      await page.getByLabel('Token').waitFor();
      await page.getByLabel('Token').fill(TOKEN);
      await page.getByRole('button', { name: 'Use token' }).click();
      // The 401 that made the page ask is the only thing Chromium reported.
      expect(problems).toEqual(['console: Failed to load resource: the server responded with a status of 401 (Unauthorized)']);
      problems.length = 0;
      const before = await counter('total-done', 0);

      const cat = await Bun.file(CAT).bytes();
      const ids = await Promise.all([upload(cat, 'one'), upload(cat, 'two'), upload(cat, 'three')]);
      for (const id of ids) expect((await system.waitForJob(id)).status).toBe('done');

      expect(await counter('total-done', before + 3)).toBe(before + 3);
      await counter('minute-done', 3);
      // Every worker is listed with its heartbeat and what it has done.
      await page.locator('#workers tr[data-kind="processor"]').waitFor();
      await page.locator('#workers tr[data-kind="saver"]').waitFor();
      const saverDone = Number(await page.locator('#workers tr[data-kind="saver"] td.num').nth(1).textContent());
      expect(saverDone).toBeGreaterThanOrEqual(3);
      expect(await page.locator('#queues tr[data-stream="uploads"] td').nth(1).textContent()).toBe('processors');
      expect(Number(await page.locator('#latency tr').filter({ hasText: 'render' }).locator('td').nth(3).textContent())).toBeGreaterThanOrEqual(3);
      expect(await page.locator('#throughput rect.done').count()).toBeGreaterThan(0);
      // Pushed: nothing reloaded the page, the one stream delivered it all.
      expect(problems).toEqual([]);
    });
  }, 60_000);

  test('a dead-lettered job is retried from the dashboard, comes back to the dead letters, and is discarded', async () => {
    await shooting('dashboard-dead', async () => {
      // A photo by URL whose server keeps failing: a transient failure, so its
      // dead letter keeps what a retry needs (an input fault's would not).
      const form = new FormData();
      form.append('url', source.url);
      form.append('description', 'a photo whose server is down');
      const res = await fetch(`${system.baseUrl}/api/images`, { method: 'POST', body: form });
      expect(res.status).toBe(202);
      const { id } = (await res.json()) as { id: string };
      const failed = await system.waitForJob(id);
      expect(failed.error?.code).toBe('source_http_error');
      const [first] = (await deadLetters()).filter((d) => d.job_id === id);
      expect(first).toBeDefined();

      const row = page.locator(`#dead tr[data-job="${id}"]`);
      await row.waitFor({ timeout: 10_000 });
      expect(await row.textContent()).toContain('source_http_error');
      await counter('total-failed', 1);
      await screenshot(page, 'dashboard-with-dead-letter');
      await page.getByRole('button', { name: `Retry job ${id}` }).click();
      await page.locator('#dead-status', { hasText: `Job ${id} was put back on uploads.` }).waitFor();

      // It failed again (the server is still down) and was dead-lettered anew: another entry, its deliveries counted afresh.
      await page.locator(`#dead tr[data-job="${id}"]:not([data-entry="${first!.entry_id}"])`).waitFor({ timeout: 15_000 });
      const again = (await deadLetters()).filter((d) => d.job_id === id);
      expect(again.map((d) => d.entry_id)).not.toContain(first!.entry_id);
      expect(again).toHaveLength(1);
      expect(again[0]!.deliveries).toBe(2); // MAX_DELIVERIES, counted afresh after the retry
      expect(await counter('total-failed', 2)).toBe(2);

      await page.getByRole('button', { name: `Discard job ${id}` }).click();
      await page.locator('#dead-status', { hasText: `Dead letter of job ${id} was discarded.` }).waitFor();
      await row.waitFor({ state: 'detached', timeout: 10_000 });
      expect((await deadLetters()).filter((d) => d.job_id === id)).toEqual([]);
      expect(await counter('dead-length', 0, 0)).toBe(0);
      expect(problems).toEqual([]);
    });
  }, 60_000);
});
