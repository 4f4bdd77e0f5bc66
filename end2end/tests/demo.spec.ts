import { expect, test, Page, TestInfo } from '@playwright/test';
import { historyServer } from '../playwright.config';
import { expectSignedIn, login, ready, shot } from './helpers';

// A newcomer opens the demo: each demo login's first screens show a company that
// has been working for 90 days, not empty pages.
test.use({ baseURL: historyServer() });

async function signIn(page: Page, info: TestInfo, user: string) {
  await login(page, info, user);
  await expectSignedIn(page);
}

test('rep1 sees a busy feed and customers with red countdowns', async ({ page }, info) => {
  await signIn(page, info, 'rep1');
  await expect(page.getByTestId('feed-item').first()).toBeVisible();
  expect(await page.getByTestId('feed-item').count()).toBeGreaterThan(5);
  await shot(page, info, 'demo-rep1-feed');

  await page.goto('/customers');
  await ready(page, info);
  expect(await page.getByTestId('customer-card').count()).toBeGreaterThan(5);
  await expect(page.locator('[data-testid=countdown].urgent').first()).toBeVisible();
  await shot(page, info, 'demo-rep1-customers');
});

test('manager1 finds confiscated customers in the inbox', async ({ page }, info) => {
  await signIn(page, info, 'manager1');
  await page.goto('/customers?view=inbox');
  await ready(page, info);
  await expect(page.getByTestId('customer-card').first()).toBeVisible();
  await shot(page, info, 'demo-manager1-inbox');
});

test('the boss sees the funnel and the forecast', async ({ page }, info) => {
  await signIn(page, info, 'boss');
  await page.goto('/funnel');
  await ready(page, info);
  // the boss's funnel opens on the whole company
  await expect(page.locator('.tabs .tab.active')).toHaveAttribute('href', '/funnel?scope=company');
  const stages = page.getByTestId('funnel-stage');
  expect(await stages.count()).toBeGreaterThanOrEqual(7);
  await expect(page.getByTestId('forecast-amount')).not.toHaveText(/^¥0\.00$/);
  await expect(page.getByTestId('forecast-unreliable')).toHaveCount(0);
  await shot(page, info, 'demo-boss-funnel');
});
