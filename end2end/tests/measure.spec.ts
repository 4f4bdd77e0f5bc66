import { expect, Page, test, TestInfo } from '@playwright/test';
import { historyServer } from '../playwright.config';
import { expectSignedIn, login, ready, shot } from './helpers';

// Ranking boards and a person's curves, on the demo company's 90 days of history.
test.use({ baseURL: historyServer() });

async function signIn(page: Page, info: TestInfo, user: string) {
  await login(page, info, user);
  await expectSignedIn(page);
}

async function go(page: Page, info: TestInfo, path: string) {
  await page.goto(path);
  await ready(page, info);
}

test('a manager opens the rankings, switches period and measure, and finds their own row', async ({ page }, info) => {
  await signIn(page, info, 'manager1');
  await page.getByTestId('main-nav').getByText('团队').click();
  await ready(page, info);
  await page.getByTestId('rankings-link').click();
  await ready(page, info);
  await expect(page).toHaveURL(/\/rankings/);
  // this month's efficiency score for the department, ranked, with how it is counted
  const rows = page.getByTestId('board-row');
  await expect(rows.first()).toBeVisible();
  expect(await rows.count()).toBeGreaterThanOrEqual(4);
  await expect(rows.first().getByTestId('board-rank')).toHaveText('1');
  await expect(page.getByTestId('rank-how')).toContainText('工效得分');
  await shot(page, info, 'rankings-manager1');

  // last month: the span moves back
  await page.locator('[data-testid=period-tabs] [data-period=last_month]').click();
  await ready(page, info);
  await expect(page).toHaveURL(/p=last_month/);
  await expect(page.locator('[data-testid=period-tabs] .active')).toHaveAttribute('data-period', 'last_month');
  await expect(rows.first()).toBeVisible();

  // alarms supported: the manager is ranked there, their row highlighted
  await page.locator('[data-testid=measure-tabs] [data-measure=supported]').click();
  await ready(page, info);
  await expect(page).toHaveURL(/m=supported/);
  const mine = page.locator('[data-testid=board-row][aria-current=true]');
  await expect(mine).toHaveCount(1);
  await expect(mine).toContainText('钱经理');
  await expect(mine).toHaveClass(/me/);
  await shot(page, info, 'rankings-manager1-supported');
});

test('the boss narrows the company board to one department', async ({ page }, info) => {
  await signIn(page, info, 'boss');
  await go(page, info, '/rankings?m=visits');
  const rows = page.getByTestId('board-row');
  await expect(rows.first()).toBeVisible();
  // the company: both departments
  await expect(page.getByTestId('board')).toContainText('销售一部');
  await expect(page.getByTestId('board')).toContainText('销售二部');
  await page.getByTestId('scope-select').selectOption({ label: '销售二部' });
  if (info.project.name === 'no-js') {
    await page.locator('.scope-form button[type=submit]').click();
  }
  await expect(page).toHaveURL(/s=department/);
  await ready(page, info);
  await expect(page.getByTestId('board')).not.toContainText('销售一部');
  await expect(page.getByTestId('board')).toContainText('销售二部');
  await expect(page.locator('[data-testid=measure-tabs] .active')).toHaveAttribute('data-measure', 'visits');
});

test('a rep sees their own place and their own curves, not a colleague’s', async ({ page }, info) => {
  await signIn(page, info, 'rep1');
  await go(page, info, '/rankings');
  const mine = page.locator('[data-testid=board-row][aria-current=true]');
  await expect(mine).toContainText('孙小伟');
  // colleagues' names are not links for a rep
  const colleague = page.locator('[data-testid=board-row]:not([aria-current=true])').first();
  await expect(colleague.locator('a')).toHaveCount(0);
  const other = await colleague.getAttribute('data-user');

  await go(page, info, '/me');
  await page.getByTestId('my-curves-link').click();
  await ready(page, info);
  await expect(page.getByTestId('person-name')).toHaveText('孙小伟');
  // both curves are drawn on the server: visible with JavaScript off too
  for (const id of ['time-curve', 'efficiency-curve']) {
    await expect(page.locator(`[data-testid=${id}] svg path.chart-line.mine`)).toHaveAttribute('d', /^M[\d.]+ [\d.]+( L[\d.]+ [\d.]+){27}$/);
    await expect(page.locator(`[data-testid=${id}] svg path.chart-line.average`)).toBeVisible();
  }
  await expect(page.getByTestId('stage-success')).toHaveCount(6);
  // a tap on a day reads its values out (CSS: with JavaScript off too)
  const readout = page.locator('[data-testid=time-curve] [data-testid=chart-readout] span:visible');
  await expect(readout).toHaveCount(0);
  const chart = page.locator('[data-testid=time-curve] svg');
  const box = (await chart.boundingBox())!;
  await chart.click({ position: { x: box.width - 12, y: box.height / 2 } });
  await expect(readout).toHaveCount(1);
  await expect(readout).toContainText('孙小伟');
  await shot(page, info, 'person-rep1');

  // 12 weeks
  await page.locator('[data-testid=weeks-tabs] [data-weeks="12"]').click();
  await ready(page, info);
  await expect(page).toHaveURL(/w=12/);
  await expect(page.locator('[data-testid=time-curve] svg path.chart-line.mine')).toHaveAttribute('d', /( L[\d.]+ [\d.]+){83}$/);

  // a colleague's profile is refused
  await go(page, info, `/people/${other}`);
  await expect(page.locator('.form-error, .error-box, [role=alert]').first()).toBeVisible();
  await expect(page.getByTestId('time-curve')).toHaveCount(0);
});

test('a manager opens a rep’s curves from the board and sees the new rep’s first weeks and a weak stage', async ({ page }, info) => {
  await signIn(page, info, 'manager1');
  await go(page, info, '/rankings?m=visits&p=quarter');
  await page.getByTestId('board').getByRole('link', { name: '吴敏' }).click();
  await ready(page, info);
  await expect(page.getByTestId('person-name')).toHaveText('吴敏');
  // rep4 joined three weeks ago: the first two weeks are shaded
  await expect(page.getByTestId('new-rep-note')).toBeVisible();
  expect(await page.locator('[data-testid=time-curve] rect.chart-marked').count()).toBe(14);

  // rep2 (李娜) is weak at getting samples approved
  await go(page, info, '/rankings?m=visits&p=quarter');
  await page.getByTestId('board').getByRole('link', { name: '李娜' }).click();
  await ready(page, info);
  const weak = page.locator('[data-testid=stage-success][data-weak=true]');
  await expect(weak).toHaveCount(1);
  await expect(weak).toContainText('愿意送样');
  await expect(page.getByTestId('weakest-note')).toBeVisible();
  await shot(page, info, 'person-rep2-weak-stage');
});

test('the boss opens the view audit and sees a flagged burst', async ({ page }, info) => {
  await signIn(page, info, 'boss');
  await go(page, info, '/me');
  await page.getByTestId('audit-link').click();
  await ready(page, info);
  await expect(page).toHaveURL(/\/audit\/views$/);
  // the demo's manager2 went through many of one rep's customers one afternoon
  await expect(page.getByTestId('audit-burst').first()).toContainText('郑经理');
  await expect(page.getByTestId('audit-viewer').filter({ hasText: '钱经理' })).toBeVisible();
  expect(await page.getByTestId('view-row').count()).toBeGreaterThan(5);
  await shot(page, info, 'view-audit');
});

test('a rep sees who opened their customers; a manager may not read the audit', async ({ page }, info) => {
  await signIn(page, info, 'rep1');
  await go(page, info, '/me');
  await page.getByTestId('my-curves-link').click();
  await ready(page, info);
  const views = page.getByTestId('owner-views');
  await expect(views).toBeVisible();
  await expect(views.getByTestId('view-row').first()).toContainText('钱经理');

  await page.context().clearCookies();
  await signIn(page, info, 'manager1');
  await go(page, info, '/audit/views');
  await expect(page.locator('[role=alert]').first()).toBeVisible();
  await expect(page.getByTestId('audit-viewers')).toHaveCount(0);
});
