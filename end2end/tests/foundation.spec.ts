import { expect, test } from '@playwright/test';
import { expectSignedIn, login, PASSWORD, ready, shot, unique } from './helpers';

test('a demo rep logs in on a phone and sees the bottom bar', async ({ page }, info) => {
  await login(page, info, 'rep1');
  await expectSignedIn(page);
  const nav = page.getByTestId('main-nav');
  for (const label of ['动态', '客户', '签到', '团队', '我的']) {
    await expect(nav.getByRole('link', { name: label })).toBeVisible();
  }
  // the bar sits at the bottom edge of the 390x844 screen
  const box = await nav.boundingBox();
  expect(box).not.toBeNull();
  expect(Math.round(box!.y + box!.height)).toBe(844);
  expect(Math.round(box!.width)).toBe(390);
  // reps have no admin entry
  await expect(nav.getByRole('link', { name: '管理' })).toBeHidden();
  await expect(page.getByTestId('current-user')).toContainText('孙小伟');
  await shot(page, info, 'rep-feed');

  await nav.getByRole('link', { name: '我的' }).click();
  await expect(page).toHaveURL(/\/me$/);
  await expect(page.getByTestId('me-name')).toHaveText('孙小伟');
  await expect(page.getByTestId('admin-link')).toHaveCount(0);
  await shot(page, info, 'rep-me');
});

test('the login page runs no WASM; the app it prefetches opens from the cache', async ({ page }, info) => {
  test.skip(info.project.name === 'no-js', 'prefetching and hydration need JavaScript');
  await page.goto('/login');
  await ready(page, info);
  // a plain form: nothing on the critical path but the page and its stylesheet
  expect(await page.locator('link[rel=modulepreload]').count()).toBe(0);
  expect(await page.evaluate(() => (window as any).__bpc_hydrated)).toBeUndefined();
  // nothing more is fetched until the rep touches the form; then the app's JS
  // and WASM are fetched at idle while the rep types
  const wasmEntries = () =>
    page.evaluate(() => performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.wasm')).length);
  await page.waitForTimeout(500);
  expect(await wasmEntries()).toBe(0);
  const form = page.getByTestId('login-form');
  await form.locator('input[name=login]').click();
  await page.waitForFunction(
    () => performance.getEntriesByType('resource').some((e) => /\/pkg\/bpc\.[0-9a-f]+\.wasm$/.test(e.name)),
    null,
    { timeout: 30_000 },
  );
  await form.locator('input[name=login]').fill('rep3');
  await form.locator('input[name=password]').fill(PASSWORD);
  await form.locator('button[type=submit]').click();
  await expectSignedIn(page);
  await ready(page, info);
  // the feed hydrated from the browser's cache: no byte of the WASM came over the network again
  const wasm = await page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .filter((e) => /\/pkg\/bpc\.[0-9a-f]+\.wasm$/.test(e.name))
      .map((e) => (e as PerformanceResourceTiming).transferSize),
  );
  expect(wasm).toEqual([0]);
});

test('a wrong password shows the translated error', async ({ page }, info) => {
  await login(page, info, 'rep2', 'not-the-password1');
  await expect(page.getByRole('alert')).toHaveText('账号或密码错误');
  await expect(page).toHaveURL(/\/login/);
  await shot(page, info, 'login-error');
});

test('the language can be switched to English and back', async ({ page }, info) => {
  await page.goto('/login');
  await ready(page, info);
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(page.getByRole('heading', { name: '登录' })).toBeVisible();

  await page.getByTestId('lang-switch').getByRole('button', { name: 'English' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  // the choice survives a reload (cookie)
  await page.reload();
  await ready(page, info);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');

  // signed in, the English UI continues; the wrong-password message is English too
  const form = page.getByTestId('login-form');
  await form.locator('input[name=login]').fill('rep3');
  await form.locator('input[name=password]').fill('wrong-password1');
  await form.locator('button[type=submit]').click();
  await expect(page.getByRole('alert')).toHaveText('Wrong login or password');
  await shot(page, info, 'login-english');

  await page.getByTestId('lang-switch').getByRole('button', { name: '中文' }).click();
  await expect(page.getByRole('heading', { name: '登录' })).toBeVisible();
});

test('an admin creates a department and a user who can then log in', async ({ page }, info) => {
  const dept = unique('华南组', info);
  const userLogin = unique('new', info).toLowerCase();

  await login(page, info, 'admin');
  await expectSignedIn(page);
  await page.goto('/admin');
  await ready(page, info);
  await expect(page.getByRole('heading', { name: '组织管理' })).toBeVisible();

  // a department under 销售一部
  await page.getByTestId('new-department').click();
  const deptForm = page.locator('details:has([data-testid=new-department]) form');
  await deptForm.locator('input[name=name]').fill(dept);
  const parent = await deptForm.locator('select[name=parent_id] option', { hasText: '销售一部' }).getAttribute('value');
  await deptForm.locator('select[name=parent_id]').selectOption(parent!);
  await deptForm.locator('button[type=submit]').click();
  await expect(page.getByTestId('department-list')).toContainText(dept);

  // a rep in that department
  await page.getByTestId('new-user').click();
  const userForm = page.getByTestId('new-user-card').locator('form');
  await userForm.locator('input[name=login]').fill(userLogin);
  await userForm.locator('input[name=name]').fill('新来的小刘');
  await userForm.locator('select[name=role]').selectOption('rep');
  const deptId = await userForm.locator('select[name=department_id] option', { hasText: dept }).getAttribute('value');
  await userForm.locator('select[name=department_id]').selectOption(deptId!);
  await userForm.locator('input[name=password]').fill('welcome2026');
  await userForm.locator('button[type=submit]').click();
  const row = page.locator(`[data-testid=user-row][data-login="${userLogin}"]`);
  await expect(row).toContainText('新来的小刘');
  await expect(row).toContainText(dept);
  await shot(page, info, 'admin');

  // the new person signs in
  await page.goto('/me');
  await ready(page, info);
  await page.getByTestId('logout').click();
  await expect(page).toHaveURL(/\/login/);
  await login(page, info, userLogin, 'welcome2026');
  await expectSignedIn(page);
  await expect(page.getByTestId('current-user')).toContainText('新来的小刘');
});

test('the login form is server-rendered and works without JavaScript', async ({ browser }, info) => {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await page.goto('/login');
  const form = page.getByTestId('login-form');
  await form.locator('input[name=login]').fill('rep4');
  await form.locator('input[name=password]').fill(PASSWORD);
  await form.locator('button[type=submit]').click();
  await expect(page).toHaveURL(/\/feed$/);
  await expect(page.getByTestId('main-nav')).toBeVisible();
  await expect(page.getByTestId('current-user')).toContainText('吴敏');
  await shot(page, info, 'no-js-feed');
  await context.close();
});

test('visitors are sent to the login page', async ({ page }) => {
  await page.goto('/admin');
  await expect(page).toHaveURL(/\/login$/);
});

test('on a desktop the navigation is a side bar with the admin entry', async ({ browser }, info) => {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    javaScriptEnabled: info.project.name !== 'no-js',
  });
  const page = await context.newPage();
  await login(page, info, 'boss');
  await expectSignedIn(page);
  const nav = page.getByTestId('main-nav');
  const box = await nav.boundingBox();
  expect(box).not.toBeNull();
  expect(Math.round(box!.x)).toBe(0);
  expect(Math.round(box!.height)).toBe(800);
  expect(box!.width).toBeLessThan(300);
  await nav.getByRole('link', { name: '管理' }).click();
  await expect(page).toHaveURL(/\/admin$/);
  await expect(page.getByTestId('user-list')).toContainText('rep8');
  await shot(page, info, 'desktop-admin');
  await context.close();
});
