import { test as base, expect, type Page } from '@playwright/test';
import { startWebMode, type RunningWebMode } from './web-server';

/**
 * `web`: a fresh web-mode server on its own temp data folder for each test.
 * `app`: a page already showing the app through that server's tokened URL.
 */
export const test = base.extend<{ web: RunningWebMode; app: Page }>({
  web: async ({}, use) => {
    const web = await startWebMode();
    await use(web);
    await web.stop();
  },
  app: async ({ page, web }, use) => {
    await page.goto(web.url);
    await expect(page.getByTestId('app-ready')).toBeAttached();
    await use(page);
  },
});

export { expect };

/** Saves a screenshot where CI keeps artifacts (e2e/artifacts/screenshots). */
export async function snap(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `e2e/artifacts/screenshots/${name}.png`, fullPage: false });
}
