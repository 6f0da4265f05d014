import { afterAll, beforeAll } from 'bun:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openPage } from './browser.ts';
import { TestSystem, type StartOptions } from './system.ts';

export interface BrowserInUse {
  readonly system: TestSystem;
  readonly browser: Browser;
  /** Runs `body` on a fresh page at `/` of the system (see openPage). */
  onPage(name: string, body: (page: Page, problems: string[]) => Promise<void>): Promise<void>;
}

/**
 * Starts a TestSystem and Chromium before this file's tests and always closes
 * both afterwards. Read `system` and `browser` inside tests, not at import.
 */
export function useBrowser(options: StartOptions = {}): BrowserInUse {
  let system: TestSystem | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    system = await TestSystem.start(options);
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });
  const started = () => {
    if (!system || !browser) throw new Error('the system and browser are not started (use them inside a test)');
    return { system, browser };
  };
  return {
    get system() {
      return started().system;
    },
    get browser() {
      return started().browser;
    },
    onPage(name, body) {
      const { system, browser } = started();
      return openPage(browser, `${system.baseUrl}/`, name, body);
    },
  };
}
