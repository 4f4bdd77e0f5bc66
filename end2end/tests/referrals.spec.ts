import { expect, Page, test, TestInfo } from '@playwright/test';
import { historyServer } from '../playwright.config';
import { expectSignedIn, login, ready, shot, unique } from './helpers';

async function signIn(page: Page, info: TestInfo, user: string) {
  await login(page, info, user);
  await expectSignedIn(page);
}

function phone(): string {
  return `137${Math.floor(10_000_000 + Math.random() * 89_999_999)}`;
}

test.describe('on the demo company with history', () => {
  test.use({ baseURL: historyServer() });

  test('a rep opens the referral tree, who to thank and who to ask', async ({ page }, info) => {
    await signIn(page, info, 'rep1');
    await page.goto('/customers');
    await ready(page, info);
    await page.getByTestId('referrals-tab').click();
    await ready(page, info);
    await expect(page).toHaveURL(/\/referrals$/);
    const tree = page.getByTestId('referral-tree');
    await expect(tree).toBeVisible();
    // referrers with the customers they brought, each a link to its page
    await expect(tree.getByTestId('ref-name').first()).toBeVisible();
    await expect(tree.getByTestId('ref-facts').first()).toContainText('介绍了');
    expect(await tree.locator('[data-testid=ref-node] [data-testid=ref-node] [data-testid=ref-name]').count()).toBeGreaterThan(0);
    await shot(page, info, 'referral-tree');

    await page.locator('[data-testid=referral-tabs] [data-tab=thank]').click();
    await ready(page, info);
    await expect(page.getByTestId('thank-row').first()).toContainText('介绍了');
    await page.locator('[data-testid=referral-tabs] [data-tab=serve]').click();
    await ready(page, info);
    await expect(page.getByTestId('serve-list').or(page.locator('.empty-state'))).toBeVisible();
  });
});

test('a rep names the referrer by company name when registering', async ({ page }, info) => {
  await signIn(page, info, 'rep2');
  const register = async (name: string, referrer: string) => {
    await page.goto('/customers/new');
    await ready(page, info);
    const form = page.getByTestId('register-form');
    await form.locator('input[name=name]').fill(name);
    await form.locator('input[name=phones]').fill(phone());
    // the optional fields are folded under 'more'
    await form.getByTestId('register-more').click();
    await form.locator('input[name=industry]').fill('食品');
    if (referrer) {
      const input = page.getByTestId('referrer-input');
      if (info.project.name === 'hydrated') {
        // part of the name offers the customer to pick
        await input.pressSequentially(referrer.slice(0, 6));
        await expect(page.locator('#referrer-options option')).toHaveCount(1);
        await expect(page.locator('#referrer-options option')).toHaveAttribute('value', referrer);
      }
      await input.fill(referrer);
    }
    for (const box of await form.getByTestId('checklist-item').all()) await box.check();
    await page.getByTestId('register-submit').click();
    await expect(page).toHaveURL(/\/customers\/[0-9a-f]+$/);
    await expect(page.getByTestId('customer-name')).toHaveText(name);
  };
  // two unrelated names (a shared prefix would ask to confirm a near match)
  const referrer = `${unique('晨光', info)}食品有限公司`;
  const referred = `${unique('远航', info)}贸易有限公司`;
  await register(referrer, '');
  await register(referred, referrer);
  await expect(page.locator('.kvs')).toContainText(referrer);

  // the tree shows the pair
  await page.goto('/referrals');
  await ready(page, info);
  const node = page.getByTestId('ref-node').filter({ hasText: referred }).first();
  // a page of trees at a time, the most business first: "show more" until it is there
  for (let i = 0; i < 20 && !(await node.isVisible()); i++) {
    const more = page.getByTestId('ref-more');
    if (!(await more.isVisible())) break;
    await more.click();
    await ready(page, info);
  }
  await expect(node).toBeVisible();
  await expect(page.getByTestId('referral-tree')).toContainText(referrer);

  // and the referrer cannot be referred by its own referral
  await page.goto('/referrals?tab=thank');
  await ready(page, info);
  await page.getByTestId('thank-row').filter({ hasText: referrer }).getByRole('link').click();
  await ready(page, info);
  await page.getByTestId('referrer-form').locator('summary').click();
  await page.getByTestId('referrer-form').getByTestId('referrer-input').fill(referred);
  await page.getByTestId('referrer-save').click();
  await expect(page.getByTestId('referrer-form').locator('[role=alert]')).toContainText('绕成一个圈');
});
