import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium (.ci/run installs it); nothing ever downloads a browser. */
export const CHROMIUM = '/usr/bin/chromium';

/** Screenshots of every run land here (git-ignored), so a failure can be looked at. */
export const ARTIFACTS = fileURLToPath(new URL('../.artifacts/', import.meta.url));

/**
 * Chromium headless, without a sandbox (CI runs as root) or anything that
 * reaches the network by itself. Playwright gives each launch a new, empty
 * profile directory and removes it on close.
 */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Saves a full-page screenshot as tests/.artifacts/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  const path = `${ARTIFACTS}${name}.png`;
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Collects what the page reports as broken: uncaught exceptions and console
 * errors, which include Content-Security-Policy violations.
 */
export function pageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`uncaught: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
  });
  return problems;
}

/**
 * Runs `body` on a fresh 1200x900 page opened at `url`, with the page's
 * problems collected; a screenshot is saved as `name` at the end, and on
 * failure as `<name>-failure`.
 */
export async function openPage(
  browser: Browser,
  url: string,
  name: string,
  body: (page: Page, problems: string[]) => Promise<void>,
): Promise<void> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const problems = pageProblems(page);
  try {
    await page.goto(url);
    await body(page, problems);
    await screenshot(page, name);
  } catch (err) {
    await screenshot(page, `${name}-failure`).catch(() => {});
    throw err;
  } finally {
    await page.close();
  }
}

/** Drops a JPEG named `name` holding `bytes` onto `selector`, as a drag from the desktop would. */
export async function dropJpeg(page: Page, selector: string, name: string, bytes: Uint8Array): Promise<void> {
  const transfer = await page.evaluateHandle(
    ([data, fileName]) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(data as number[])], fileName as string, { type: 'image/jpeg' }));
      return dt;
    },
    [[...bytes], name] as const,
  );
  await page.dispatchEvent(selector, 'drop', { dataTransfer: transfer });
}
