import { expect, Page, test, TestInfo } from '@playwright/test';
import { historyServer } from '../playwright.config';
import { expectSignedIn, login, ready, shot } from './helpers';

async function signIn(page: Page, info: TestInfo, user: string) {
  await login(page, info, user);
  await expectSignedIn(page);
}

test('a manager sets a rep’s monthly target and sees its completion', async ({ page }, info) => {
  // each project sets a different rep's target: the two run side by side
  const rep = info.project.name === 'no-js' ? '李娜' : '孙小伟';
  const amount = info.project.name === 'no-js' ? '80000' : '120000';
  await signIn(page, info, 'manager1');
  await page.goto('/alarms');
  await ready(page, info);
  await page.getByTestId('targets-link').click();
  await ready(page, info);
  await expect(page).toHaveURL(/\/targets/);
  const row = page.getByTestId('target-row').filter({ has: page.getByTestId('target-name').getByText(rep, { exact: true }) });
  await expect(row).toBeVisible();
  await row.getByTestId('target-edit').locator('summary').click();
  await row.getByTestId('target-amount-input').fill(amount);
  await row.getByTestId('target-deals-input').fill('3');
  await row.getByTestId('target-save').click();
  await ready(page, info);
  const saved = page.getByTestId('target-row').filter({ has: page.getByTestId('target-name').getByText(rep, { exact: true }) });
  await expect(saved.getByTestId('target-amount')).toContainText(`¥${Number(amount).toLocaleString('en-US')}.00`);
  await expect(saved.getByTestId('target-amount')).toContainText('%');
  await expect(saved.getByTestId('target-deals')).toContainText('目标 3 单');
  await expect(saved.getByTestId('target-history')).toBeVisible();
  // a bad amount is a clear error, nothing saved
  await page.goto('/targets');
  await ready(page, info);
  const edit = page.getByTestId('target-row').filter({ has: page.getByTestId('target-name').getByText(rep, { exact: true }) });
  await edit.getByTestId('target-edit').locator('summary').click();
  await edit.getByTestId('target-amount-input').fill('12.345');
  await edit.getByTestId('target-save').click();
  await expect(page.getByTestId('target-row').filter({ has: page.getByTestId('target-name').getByText(rep, { exact: true }) }).locator('[role=alert]').first()).toBeVisible();
  await page.goto('/targets');
  await ready(page, info);
  await expect(page.getByTestId('target-row').filter({ has: page.getByTestId('target-name').getByText(rep, { exact: true }) }).getByTestId('target-amount'))
    .toContainText(`¥${Number(amount).toLocaleString('en-US')}.00`);
  await shot(page, info, 'targets-manager1');
});

test.describe('on the demo company with history', () => {
  test.use({ baseURL: historyServer() });

  test('a rep sees their own target, completion and projection; the quarter sums the months', async ({ page }, info) => {
    await signIn(page, info, 'rep1');
    await page.goto('/targets');
    await ready(page, info);
    const rows = page.getByTestId('target-row');
    await expect(rows).toHaveCount(1);
    await expect(rows.first().getByTestId('target-amount')).toContainText('完成');
    await expect(rows.first().getByTestId('target-projection')).toContainText('预计');
    await expect(rows.first().getByTestId('target-edit')).toHaveCount(0);
    await page.locator('[data-testid=target-tabs] [data-period=quarter]').click();
    await ready(page, info);
    await expect(page.getByTestId('target-span')).toContainText('–');
    await page.getByTestId('target-prev').click();
    await ready(page, info);
    await expect(page).toHaveURL(/p=quarter/);
    await expect(rows.first().getByTestId('target-projection')).toHaveCount(0);
    await shot(page, info, 'targets-rep1');
  });
});
