import { expect, Page, test, TestInfo } from '@playwright/test';
import ExcelJS from 'exceljs';
import { readFile } from 'node:fs/promises';
import { expectSignedIn, login, ready, shot, unique } from './helpers';

async function signIn(page: Page, info: TestInfo, user: string) {
  await login(page, info, user);
  await expectSignedIn(page);
}

function phone(): string {
  return `137${Math.floor(10_000_000 + Math.random() * 89_999_999)}`;
}

/** An Excel workbook of these rows, as a manager's own sheet would be. */
async function workbook(rows: string[][]): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('客户');
  for (const row of rows) sheet.addRow(row);
  return Buffer.from(await book.xlsx.writeBuffer());
}

async function register(page: Page, info: TestInfo, name: string, tel: string) {
  await page.goto('/customers/new');
  await ready(page, info);
  const form = page.getByTestId('register-form');
  await form.locator('input[name=name]').fill(name);
  await form.locator('input[name=phones]').fill(tel);
  for (const box of await form.getByTestId('checklist-item').all()) await box.check();
  await page.getByTestId('register-submit').click();
  await expect(page).toHaveURL(/\/customers\/[0-9a-f]+$/);
}

test('a manager checks an Excel file, sees each refused row with its reason, imports the rest and downloads the errors', async ({ page }, info) => {
  await signIn(page, info, 'manager1');
  // one company of the file is registered already
  const taken = `${unique('撞单', info)}贸易有限公司`;
  await register(page, info, taken, phone());
  const first = `${unique('晨星', info)}科技有限公司`;
  const second = `${unique('远帆', info)}物流有限公司`;
  const file = await workbook([
    ['公司名称 / Company name *', '电话 / Phone numbers *', '行业 / Industry', '资格已确认 / Qualified'],
    [first, phone(), '软件', '是'],
    ['', phone(), '制造', ''],
    [taken, phone(), '', ''],
    [second, phone(), '物流', ''],
    [`${unique('短号', info)}电子有限公司`, '12', '', ''],
  ]);

  await page.goto('/customers');
  await ready(page, info);
  await page.getByTestId('import-tab').click();
  await ready(page, info);
  await expect(page).toHaveURL(/\/customers\/import$/);
  await expect(page.getByTestId('import-template')).toBeVisible();
  await page.getByTestId('import-target').selectOption('me');
  await page.getByTestId('import-file').setInputFiles({
    name: '客户名单.xlsx',
    mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    buffer: file,
  });
  if (info.project.name === 'hydrated') {
    // the chosen file shows beside the button, in the page's language
    await expect(page.getByTestId('import-file-chosen')).toHaveText('客户名单.xlsx');
  }
  await page.getByTestId('import-check').click();
  await ready(page, info);
  await expect(page).toHaveURL(/\/customers\/import\/[0-9a-z]+$/);
  await expect(page.getByTestId('import-counts')).toHaveText('共 5 行：2 行可以导入，3 行被拒绝。');
  await expect(page.getByTestId('import-plan')).toContainText('1 行将锁定，1 行成为草稿');
  const refused = page.getByTestId('import-refused');
  await expect(refused.locator('tbody tr')).toHaveCount(3);
  await expect(refused.locator('tr[data-row="3"]')).toContainText('公司名称：此项必填');
  // a duplicate says when it was registered (here: by the manager himself)
  await expect(refused.locator('tr[data-row="4"]')).toContainText(taken);
  await expect(refused.locator('tr[data-row="4"]')).toContainText(/你已于此日登记过该客户：\s*\d{4}-\d{2}-\d{2}/);
  await expect(refused.locator('tr[data-row="6"]')).toContainText('电话');
  await shot(page, info, 'import-checked');

  await page.getByTestId('import-start').click();
  await ready(page, info);
  // hydrated, the page follows the progress itself; without JavaScript, refresh
  for (let i = 0; i < 20 && info.project.name === 'no-js'; i++) {
    if ((await page.getByTestId('import-report').count()) > 0) break;
    await page.waitForTimeout(300);
    await page.reload();
  }
  await expect(page.getByTestId('import-report')).toContainText('导入完成：2 个客户（锁定 1，草稿 1），0 行未导入');
  await shot(page, info, 'import-done');

  // the error workbook: the file's rows that were refused, each with its reason
  const download = page.waitForEvent('download');
  await page.getByTestId('import-errors').click();
  const saved = await (await download).path();
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(await readFile(saved));
  const sheet = book.worksheets[0];
  expect(sheet.rowCount).toBe(4);
  expect(String(sheet.getRow(3).getCell(1).value)).toBe(taken);
  expect(String(sheet.getRow(2).getCell(5).value)).toContain('行 3');

  // the imported customers are the manager's
  await page.goto('/customers');
  await ready(page, info);
  await expect(page.getByText(first)).toBeVisible();
  await expect(page.getByText(second)).toBeVisible();
});

test('a file without the required columns is refused by name', async ({ page }, info) => {
  await signIn(page, info, 'rep3');
  await page.goto('/customers/import');
  await ready(page, info);
  // a rep imports into their own name only: no choice to make
  await expect(page.getByTestId('import-target')).toHaveCount(0);
  await page.getByTestId('import-file').setInputFiles({
    name: 'list.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('公司名称,行业\n某某有限公司,制造\n'),
  });
  await page.getByTestId('import-check').click();
  await ready(page, info);
  await expect(page.getByTestId('import-invalid')).toContainText('文件缺少必填的列：');
  await expect(page.getByTestId('import-invalid')).toContainText('电话');
});

test('a rep registers with a thumb: the position from the phone, the referrer picked by name', async ({ browser }, info) => {
  test.skip(info.project.name === 'no-js', 'the position comes from the browser; without JavaScript it is typed (covered by the field journeys)');
  const context = await browser.newContext({
    ...info.project.use,
    geolocation: { latitude: 31.2305, longitude: 121.4738, accuracy: 25 },
    permissions: ['geolocation'],
  });
  const page = await context.newPage();
  await signIn(page, info, 'rep4');
  const referrer = `${unique('松涛', info)}餐饮有限公司`;
  await register(page, info, referrer, phone());

  await page.goto('/customers/new');
  await ready(page, info);
  const form = page.getByTestId('register-form');
  // required fields first; the rest is folded away
  await expect(form.locator('input[name=industry]')).toBeHidden();
  const name = `${unique('海岳', info)}建材有限公司`;
  await form.locator('input[name=name]').fill(name);
  await form.locator('input[name=phones]').fill(phone());
  await form.getByTestId('register-more').click();
  await form.getByTestId('use-position').click();
  await expect(form.getByTestId('position-status')).toHaveText('已定位，精度约 25 米');
  await expect(form.locator('input[name=lat]')).toHaveValue('31.230500');
  await expect(form.locator('input[name=lng]')).toHaveValue('121.473800');
  const input = page.getByTestId('referrer-input');
  await input.pressSequentially(referrer.slice(0, 6));
  await expect(page.locator('#referrer-options option')).toHaveAttribute('value', referrer);
  await input.fill(referrer);
  await shot(page, info, 'register-thumb');
  for (const box of await form.getByTestId('checklist-item').all()) await box.check();
  await page.getByTestId('register-submit').click();
  await expect(page).toHaveURL(/\/customers\/[0-9a-f]+$/);
  await expect(page.getByTestId('customer-name')).toHaveText(name);
  await expect(page.locator('.kvs')).toContainText(referrer);
  await context.close();
});
