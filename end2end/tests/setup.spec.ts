import { expect, test } from '@playwright/test';
import { emptyServer } from '../playwright.config';
import { ready, shot } from './helpers';

test('an empty installation asks for the company and first admin, once', async ({ page }, info) => {
  const base = emptyServer(info.project.name);
  // the login page sends a first visitor to the setup page
  await page.goto(`${base}/login`);
  await expect(page).toHaveURL(/\/setup$/);
  await ready(page, info);
  const form = page.getByTestId('setup-form');
  const fill = async (confirm: string) => {
    await form.locator('input[name=company]').fill('星辰贸易有限公司');
    await form.locator('input[name=name]').fill('林管理');
    await form.locator('input[name=login]').fill('lin');
    await form.locator('input[name=password]').fill('setup2026');
    await form.locator('input[name=confirm]').fill(confirm);
  };
  // a typo in the confirmation is caught and named
  await fill('setup2027');
  await form.locator('button[type=submit]').click();
  await expect(page.locator('[data-field=confirm]')).toHaveText('两次输入的密码不一致');
  await shot(page, info, 'setup-error');

  // (without JavaScript the page came back from the server: fill the form again)
  await fill('setup2026');
  await form.locator('button[type=submit]').click();
  await expect(page).toHaveURL(/\/admin$/);
  await expect(page.getByTestId('department-list')).toContainText('星辰贸易有限公司');
  await expect(page.getByTestId('current-user')).toContainText('林管理');

  // the setup page is gone for good: the signed-in admin lands on the feed
  await page.goto(`${base}/setup`);
  await expect(page).toHaveURL(/\/feed$/);
  await page.context().clearCookies();
  await page.goto(`${base}/setup`);
  await expect(page).toHaveURL(/\/login$/);
});
