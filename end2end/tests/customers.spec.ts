import { expect, test, Page, TestInfo } from '@playwright/test';
import { clockServer } from '../playwright.config';
import { expectSignedIn, login, ready, shot, unique } from './helpers';

async function signIn(page: Page, info: TestInfo, user: string) {
  await login(page, info, user);
  await expectSignedIn(page);
}

/** Registers a customer with every checklist item ticked; lands on its page. */
async function register(page: Page, info: TestInfo, name: string, phone: string) {
  await page.goto('/customers/new');
  await ready(page, info);
  const form = page.getByTestId('register-form');
  await form.locator('input[name=name]').fill(name);
  await form.locator('input[name=phones]').fill(phone);
  // the optional fields are folded under 'more'
  await form.getByTestId('register-more').click();
  await form.locator('input[name=industry]').fill('制造');
  await form.locator('input[name=expected_amount]').fill('50000');
  for (const box of await form.getByTestId('checklist-item').all()) await box.check();
  await page.getByTestId('register-submit').click();
  await expect(page).toHaveURL(/\/customers\/[0-9a-f]+$/);
  await expect(page.getByTestId('customer-name')).toHaveText(name);
}

function phone(): string {
  return `139${Math.floor(10_000_000 + Math.random() * 89_999_999)}`;
}

test('a rep registers a customer, is refused a variant spelling, and raises a dispute', async ({ page, browser }, info) => {
  test.skip(info.project.name === 'no-js', 'the duplicate answer and the dispute button need JavaScript; the save itself is covered below');
  const base = unique('撞单测试', info);
  await signIn(page, info, 'rep1');
  await register(page, info, `${base}科技有限公司`, phone());
  await expect(page.getByTestId('status')).toHaveText('已锁定');
  await expect(page.getByTestId('countdown')).toBeVisible();
  await shot(page, info, 'customer-detail');

  // a colleague types a variant spelling: full-width brackets, another company form
  const other = await browser.newContext({ ...info.project.use });
  const page2 = await other.newPage();
  await signIn(page2, info, 'rep2');
  await page2.goto('/customers/new');
  await ready(page2, info);
  const form = page2.getByTestId('register-form');
  await form.locator('input[name=name]').fill(`${base}科技（中国）股份有限公司`);
  await form.locator('input[name=phones]').fill(phone());
  // the check runs while typing, before any save
  await expect(page2.getByTestId('duplicate')).toContainText('该客户已被同事登记');
  await page2.getByTestId('register-submit').click();
  await expect(page2.getByTestId('duplicate')).toContainText(new Date().getFullYear().toString());
  await expect(page2).toHaveURL(/\/customers\/new$/);
  await shot(page2, info, 'duplicate-refused');
  await page2.getByTestId('dispute-open').click();
  await page2.locator('textarea[name=note]').fill('我上周已拜访过他们的总经理');
  await page2.getByTestId('dispute-submit').click();
  await expect(page2.getByTestId('dispute-sent')).toBeVisible();
  await other.close();

  // the manager sees the dispute in the inbox
  const mgr = await browser.newContext({ ...info.project.use });
  const page3 = await mgr.newPage();
  await signIn(page3, info, 'manager1');
  await page3.goto('/customers?view=inbox');
  await expect(page3.getByTestId('dispute').filter({ hasText: base })).toBeVisible();
  await mgr.close();
});

test('a rep advances a customer with the stage feedback', async ({ page }, info) => {
  const name = unique('推进测试', info);
  await signIn(page, info, 'rep3');
  await register(page, info, name, phone());
  await expect(page.getByTestId('stage')).toContainText('录入未处理');
  const form = page.getByTestId('advance-form');
  await form.getByTestId('feedback').first().fill('客户有采购意向，下周约见');
  await page.getByTestId('advance-submit').click();
  await expect(page.getByTestId('stage')).toContainText('电话意向');
  await expect(page.locator('.history-item[data-action=advance]')).toContainText('客户有采购意向');
  // the list shows it with its countdown, nearest deadline first
  await page.goto('/customers');
  await ready(page, info);
  const card = page.getByTestId('customer-card').filter({ hasText: name });
  await expect(card.getByTestId('countdown')).toBeVisible();
  await shot(page, info, 'customer-list');
});

test('confiscation: the manager reassigns one and releases one; a rep claims from the pool', async ({ browser }, info) => {
  const base = clockServer(info.project.name);
  const keep = unique('没收测试', info);
  const pooled = unique('公海测试', info);
  const pooledPhone = phone();
  const owner = await browser.newContext({ ...info.project.use, baseURL: base });
  const page = await owner.newPage();
  await signIn(page, info, 'rep1');
  await register(page, info, keep, phone());
  await register(page, info, pooled, pooledPhone);

  // ten days pass without any follow-up (the test server's clock moves; it sweeps at once)
  const moved = await page.request.post(`${base}/test/clock?days=10`);
  expect(moved.ok()).toBeTruthy();
  await owner.close();

  const mgr = await browser.newContext({ ...info.project.use, baseURL: base });
  const m = await mgr.newPage();
  await signIn(m, info, 'manager1');
  await m.goto('/customers?view=inbox');
  await ready(m, info);
  await m.getByTestId('customer-card').filter({ hasText: keep }).click();
  await expect(m.getByTestId('status')).toHaveText('待经理处理');
  await expect(m.locator('.history-item[data-action=confiscate]')).toContainText('超过阶段期限');
  await shot(m, info, 'inbox-customer');
  const li = await m.getByTestId('reassign-to').locator('option', { hasText: '李娜' }).getAttribute('value');
  await m.getByTestId('reassign-to').selectOption(li!);
  await m.getByTestId('reassign-submit').click();
  await expect(m.getByTestId('status')).toHaveText('已锁定');
  await expect(m.locator('.history-item[data-action=reassign]')).toBeVisible();

  await m.goto('/customers?view=inbox');
  await m.getByTestId('customer-card').filter({ hasText: pooled }).click();
  await ready(m, info);
  await m.getByTestId('manage').locator('input[name=reason]').fill('客户暂停采购，放公海');
  await m.getByRole('button', { name: '放入公海' }).click();
  await expect(m.getByTestId('status')).toHaveText('公海');
  await mgr.close();

  // another rep finds it in the pool with the phone masked, claims it, sees the number
  const rep = await browser.newContext({ ...info.project.use, baseURL: base });
  const r = await rep.newPage();
  await signIn(r, info, 'rep3');
  await r.goto('/pool');
  await ready(r, info);
  const card = r.getByTestId('customer-card').filter({ hasText: pooled });
  await expect(card).toContainText(`${pooledPhone.slice(0, 3)}******${pooledPhone.slice(-2)}`);
  await expect(card).not.toContainText(pooledPhone);
  await shot(r, info, 'pool');
  await card.click();
  await r.getByTestId('claim').click();
  await expect(r.getByTestId('phones')).toHaveText(pooledPhone);
  await expect(r.locator('.history-item[data-action=confiscate]')).toBeVisible();
  await rep.close();
});

test('the funnel page shows the forecast and warns when it is unreliable', async ({ page }, info) => {
  await signIn(page, info, 'rep4');
  await register(page, info, unique('漏斗测试', info), phone());
  await page.goto('/funnel');
  await ready(page, info);
  await expect(page.getByTestId('funnel-stage')).toHaveCount(7);
  await expect(page.getByTestId('forecast-unreliable')).toBeVisible();
  await shot(page, info, 'funnel');
});

test('a manager downloads the team list as Excel; a rep has no export', async ({ page }, info) => {
  await signIn(page, info, 'manager1');
  await page.goto('/customers?view=team');
  await ready(page, info);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-xlsx').click(),
  ]);
  expect(download.suggestedFilename()).toBe('customers.xlsx');
  const file = info.outputPath('customers.xlsx');
  await download.saveAs(file);
  const fs = await import('fs');
  expect(fs.readFileSync(file).subarray(0, 2).toString()).toBe('PK');
  await page.context().clearCookies();
  await signIn(page, info, 'rep2');
  await page.goto('/customers');
  await expect(page.getByTestId('export-xlsx')).toHaveCount(0);
});

test('a rep finds a customer by pinyin initials, full pinyin and the last four digits of its phone', async ({ page }, info) => {
  // a name whose pinyin is known: random characters with one reading each
  const chars: [string, string][] = [['星', 'xing'], ['辰', 'chen'], ['贸', 'mao'], ['易', 'yi'], ['东', 'dong'], ['方', 'fang'],
    ['泰', 'tai'], ['金', 'jin'], ['鹏', 'peng'], ['远', 'yuan'], ['盛', 'sheng'], ['海', 'hai'], ['林', 'lin'], ['宇', 'yu']];
  const picked = Array.from({ length: 6 }, () => chars[Math.floor(Math.random() * chars.length)]);
  const core = picked.map((c) => c[0]).join('');
  const initials = picked.map((c) => c[1][0]).join('');
  const name = `${core}有限公司`;
  const tel = phone();
  await signIn(page, info, 'rep1');
  await register(page, info, name, tel);

  await page.goto('/customers');
  await ready(page, info);
  const box = page.getByTestId('customer-search');
  const search = async (q: string) => {
    await box.locator('input[name=q]').fill(q);
    await box.locator('button[type=submit]').click();
    await expect(page).toHaveURL(new RegExp(`[?&]q=${encodeURIComponent(q)}`));
    await ready(page, info);
  };
  const card = page.getByTestId('customer-card').filter({ hasText: name });
  await search(initials.toUpperCase());
  await expect(card).toHaveCount(1);
  // every card found holds the initials (nothing unrelated is listed)
  expect(await page.getByTestId('customer-card').count()).toBeLessThan(10);
  await shot(page, info, 'customer-search-initials');
  await search(picked.slice(2, 5).map((c) => c[1]).join(''));
  await expect(card).toHaveCount(1);
  await search(tel.slice(-4));
  await expect(card).toHaveCount(1);
  await shot(page, info, 'customer-search-phone');
  // a fragment too short to search says so
  await search('12');
  await expect(page.locator('.error, [role=alert]').first()).toContainText('至少');
  // nothing found is said, not shown as an empty list
  await search('zzzzqqqq');
  await expect(page.getByTestId('no-results')).toBeVisible();
  await page.getByTestId('search-clear').click();
  await ready(page, info);
  await expect(page).toHaveURL(/\/customers$/);
  await expect(page.getByTestId('customer-card').first()).toBeVisible();
});

test('a rep keeps the file: adds a contact and a close date, asks to correct the name; the manager approves it from the inbox', async ({ browser }, info) => {
  const name = unique('档案测试', info);
  const rep = await browser.newContext({ ...info.project.use });
  const page = await rep.newPage();
  await signIn(page, info, 'rep1');
  await register(page, info, `${name}有限公司`, phone());
  const url = page.url();

  // a second contact, met on the second visit
  const contacts = page.getByTestId('contacts');
  await contacts.getByTestId('contact-form').locator('summary').click();
  await contacts.getByTestId('contact-name').fill('李建国');
  await contacts.locator('input[name=title]').fill('总经理');
  await contacts.getByTestId('contact-phones').fill('13912345678');
  await contacts.locator('input[name=decision_maker]').check();
  await contacts.getByTestId('contact-save').click();
  await expect(page.getByTestId('contact').filter({ hasText: '李建国' })).toContainText('决策人');

  // the expected amount and close date, kept with their history (three months on)
  const closeDay = new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10);
  await page.getByTestId('expected-form').locator('summary').click();
  await page.getByTestId('close-on').fill(closeDay);
  await page.getByTestId('expected-save').click();
  await expect(page.locator('.kv').filter({ hasText: '预计成交日期' })).toContainText(closeDay);
  await expect(page.locator('.history-item[data-kind=change][data-field=close_on]')).toContainText(closeDay);
  await expect(page.locator('.history-item[data-kind=contact]').filter({ hasText: '李建国' })).toBeVisible();

  // a wrong close date is named, nothing is lost
  await page.getByTestId('expected-form').locator('summary').click();
  await page.getByTestId('close-on').fill('2020-01-01');
  await page.getByTestId('expected-save').click();
  await expect(page.getByTestId('expected-form')).toContainText('成交日期不能早于登记日期');
  await page.goto(url);
  await ready(page, info);
  await expect(page.locator('.kv').filter({ hasText: '预计成交日期' })).toContainText(closeDay);

  // the rep cannot rename the customer alone: the correction is a request
  await page.getByTestId('correct-form').locator('summary').click();
  await page.getByTestId('correct-field').selectOption('name');
  await page.getByTestId('correct-value').fill(`${name}股份有限公司`);
  await page.locator('[data-testid=correct-form] input[name=reason]').fill('合同上的全称');
  await page.getByTestId('correct-save').click();
  const waiting = page.getByTestId('pending-changes');
  await expect(waiting).toContainText(`${name}股份有限公司`);
  await expect(waiting).toContainText('等待经理审批');
  await expect(page.getByTestId('customer-name')).toHaveText(`${name}有限公司`);
  await shot(page, info, 'customer-file-rep');

  // the manager approves it from the inbox
  const mgr = await browser.newContext({ ...info.project.use });
  const page2 = await mgr.newPage();
  await signIn(page2, info, 'manager1');
  await page2.goto('/customers?view=inbox');
  await ready(page2, info);
  const request = page2.getByTestId('inbox-requests').locator('li.card').filter({ hasText: `${name}股份有限公司` });
  await expect(request).toBeVisible();
  await shot(page2, info, 'customer-file-inbox');
  await request.getByTestId('change-approve').click();
  await expect(page2.getByTestId('inbox-requests').locator('li.card').filter({ hasText: `${name}股份有限公司` })).toHaveCount(0);
  await mgr.close();

  // the rep's page has the new name, and the timeline both names
  await page.goto(url);
  await ready(page, info);
  await expect(page.getByTestId('customer-name')).toHaveText(`${name}股份有限公司`);
  const renamed = page.locator('.history-item[data-kind=change][data-field=name]');
  await expect(renamed).toContainText(`${name}有限公司`);
  await expect(renamed).toContainText('已批准');
  await shot(page, info, 'customer-file-approved');
  await rep.close();
});
