import { expect, Page, TestInfo } from '@playwright/test';

export const PASSWORD = 'demo1234';

/** Unique names per test run and project, so parallel runs share one database. */
export function unique(prefix: string, info: TestInfo): string {
  const project = info.project.name === 'no-js' ? 'n' : 'h';
  return `${prefix}${project}${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;
}

/** Whether the page loads the WASM at all: the login and setup pages are plain
 *  HTML forms and only prefetch it. */
export async function hydrates(page: Page): Promise<boolean> {
  return page.evaluate(() => document.querySelector('link[rel=modulepreload]') !== null);
}

/** With JavaScript on, wait until the WASM has hydrated the page. */
export async function ready(page: Page, info: TestInfo) {
  await page.waitForLoadState('load');
  if (info.project.name === 'hydrated' && (await hydrates(page))) {
    await page.waitForFunction(() => (window as any).__bpc_hydrated === true, null, { timeout: 30_000 });
  }
}

export async function login(page: Page, info: TestInfo, user: string, password = PASSWORD) {
  await page.goto('/login');
  await ready(page, info);
  const form = page.getByTestId('login-form');
  await form.locator('input[name=login]').fill(user);
  await form.locator('input[name=password]').fill(password);
  await form.locator('button[type=submit]').click();
}

export async function expectSignedIn(page: Page) {
  await expect(page).toHaveURL(/\/feed$/);
  await expect(page.getByTestId('main-nav')).toBeVisible();
}

export async function shot(page: Page, info: TestInfo, name: string) {
  await page.screenshot({ path: info.outputPath(`${name}.png`), fullPage: true });
}
