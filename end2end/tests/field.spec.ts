import { expect, test, Browser, Page, TestInfo } from '@playwright/test';
import { clockServer } from '../playwright.config';
import { expectSignedIn, login, ready, shot, unique } from './helpers';

// A 2×2 PNG, as a phone camera's photo would arrive (any image will do).
const PHOTO = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==',
  'base64',
);

// The customer's registered location and where the phone says the rep stands (≈15 m away).
const SHOP = { lat: '31.2304', lng: '121.4737' };
const HERE = { latitude: 31.2305, longitude: 121.4738, accuracy: 20 };

async function signIn(page: Page, info: TestInfo, user: string) {
  await login(page, info, user);
  await expectSignedIn(page);
}

/** A browser context of its own (a second phone), signed in. */
async function phone(browser: Browser, info: TestInfo, user: string, geo = true) {
  const context = await browser.newContext({
    ...info.project.use,
    ...(geo ? { geolocation: HERE, permissions: ['geolocation'] } : {}),
  });
  const page = await context.newPage();
  await signIn(page, info, user);
  return { context, page };
}

async function registerAtShop(page: Page, info: TestInfo, name: string) {
  await page.goto('/customers/new');
  await ready(page, info);
  const form = page.getByTestId('register-form');
  await form.locator('input[name=name]').fill(name);
  await form.locator('input[name=phones]').fill(`139${Math.floor(10_000_000 + Math.random() * 89_999_999)}`);
  // the optional fields are folded under 'more'
  await form.getByTestId('register-more').click();
  await form.locator('input[name=lat]').fill(SHOP.lat);
  await form.locator('input[name=lng]').fill(SHOP.lng);
  for (const box of await form.getByTestId('checklist-item').all()) await box.check();
  await page.getByTestId('register-submit').click();
  await expect(page).toHaveURL(/\/customers\/[0-9a-f]+$/);
}

/** Opens the feed and waits until its socket is live. */
async function liveFeed(page: Page, info: TestInfo) {
  await page.goto('/feed');
  await ready(page, info);
  await expect(page.getByTestId('live')).toHaveAttribute('data-connected', 'true');
}

async function checkIn(page: Page, info: TestInfo, customer: string, purpose: string, find?: string) {
  await page.goto('/checkin');
  await ready(page, info);
  await expect(page.getByTestId('geo')).toHaveAttribute('data-state', 'ok');
  const select = page.getByTestId('customer-select');
  if (find) {
    // the picker's search box narrows the list to the customers it finds
    await page.getByTestId('customer-find').fill(find);
    await page.getByTestId('customer-find').press('Enter');
    await expect(select.locator('option')).toHaveCount(1);
  }
  const option = select.locator('option', { hasText: customer });
  // nearest first: the customer 15 m away is offered with its distance
  await expect(option).toContainText(' m');
  const value = (await option.getAttribute('value')) ?? '';
  await select.selectOption(value);
  await page.getByTestId('purpose').fill(purpose);
  await page.getByTestId('photos').setInputFiles({ name: 'visit.png', mimeType: 'image/png', buffer: PHOTO });
  await expect(select).toHaveValue(value);
  await page.getByTestId('checkin-submit').click();
}

test('a check-in appears live in the manager feed; the manager likes and comments and the rep sees both live', async ({ browser }, info) => {
  test.skip(info.project.name === 'no-js', 'position, the queue and the live feed need JavaScript; the plain form is covered below');
  const name = unique('签到客户', info);
  const purpose = unique('演示新品', info);
  const rep = await phone(browser, info, 'rep1');
  const mgr = await phone(browser, info, 'manager1', false);
  await registerAtShop(rep.page, info, name);
  const customerPage = rep.page.url();
  await liveFeed(mgr.page, info);

  await checkIn(rep.page, info, name, purpose, name.slice('签到客户'.length));
  await expect(rep.page.getByTestId('checkin-done')).toContainText(name);
  await shot(rep.page, info, 'checkin-done');

  // the customer's timeline has the visit with its photo, in company time
  await rep.page.goto(customerPage);
  await ready(rep.page, info);
  const visit = rep.page.getByTestId('timeline').locator('[data-kind=checkin]').first();
  await expect(visit).toContainText(purpose);
  await expect(visit.getByTestId('timeline-photo')).toHaveCount(1);
  await expect(rep.page.getByTestId('timeline').locator('[data-action=register_locked]')).toBeVisible();
  await shot(rep.page, info, 'customer-timeline');

  // the manager's open feed shows it without a reload: photo, distance, no flags
  const item = mgr.page.getByTestId('feed-item').filter({ hasText: purpose });
  await expect(item).toBeVisible();
  await expect(item.getByTestId('distance')).toContainText('米');
  await expect(item.locator('.feed-photos img')).toHaveCount(1);
  await expect(item.locator('.badge.flag')).toHaveCount(0);
  await shot(mgr.page, info, 'manager-feed');

  // the rep watches the feed while the manager likes and comments
  await liveFeed(rep.page, info);
  const mine = rep.page.getByTestId('feed-item').filter({ hasText: purpose });
  await expect(mine.getByTestId('likes')).toHaveText('0');
  await item.getByTestId('like').click();
  await expect(item.getByTestId('likes')).toHaveText('1');
  const comment = `<i>${unique('很好', info)}</i>`;
  // the comment box opens on demand
  await item.getByTestId('comment-open').click();
  await item.locator('input[name=text]').fill(comment);
  await item.locator('button[type=submit]', { hasText: '发送' }).click();

  await expect(mine.getByTestId('likes')).toHaveText('1');
  // shown as text, not markup
  await expect(mine.getByTestId('comments')).toContainText(comment);
  await expect(rep.page.getByTestId('bell-count')).toBeVisible();
  await shot(rep.page, info, 'rep-feed-live');
  await rep.context.close();
  await mgr.context.close();
});

test('a check-in made offline is kept on the phone and sent once when back online', async ({ browser }, info) => {
  test.skip(info.project.name === 'no-js', 'the offline queue lives in the browser');
  const name = unique('离线客户', info);
  const purpose = unique('离线拜访', info);
  const rep = await phone(browser, info, 'rep2');
  await registerAtShop(rep.page, info, name);

  await rep.page.goto('/checkin');
  await ready(rep.page, info);
  await expect(rep.page.getByTestId('geo')).toHaveAttribute('data-state', 'ok');
  const select = rep.page.getByTestId('customer-select');
  const option = select.locator('option', { hasText: name });
  // the list for this position has arrived; then the network goes
  await expect(option).toContainText(' m');
  await rep.context.setOffline(true);
  const value = (await option.getAttribute('value')) ?? '';
  await select.selectOption(value);
  await expect(select).toHaveValue(value);
  await rep.page.getByTestId('purpose').fill(purpose);
  await rep.page.getByTestId('photos').setInputFiles({ name: 'visit.png', mimeType: 'image/png', buffer: PHOTO });
  await rep.page.getByTestId('checkin-submit').click();
  await expect(rep.page.getByTestId('queued')).toBeVisible();
  await expect(rep.page.getByTestId('pending')).toContainText('1');
  await shot(rep.page, info, 'checkin-queued');

  await rep.context.setOffline(false);
  await expect(rep.page.getByTestId('checkin-done')).toContainText(name, { timeout: 15_000 });
  await expect(rep.page.getByTestId('pending')).toHaveCount(0);

  // exactly one event, with its photo
  const mgr = await phone(browser, info, 'manager1', false);
  await mgr.page.goto('/feed');
  const items = mgr.page.getByTestId('feed-item').filter({ hasText: purpose });
  await expect(items).toHaveCount(1);
  await expect(items.locator('.feed-photos img')).toHaveCount(1);
  await rep.context.close();
  await mgr.context.close();
});

test('installable as an app; after one visit /feed and /checkin open offline and a check-in made there is sent once', async ({ browser }, info) => {
  test.skip(info.project.name === 'no-js', 'the service worker needs JavaScript');
  const name = unique('断网客户', info);
  const purpose = unique('断网拜访', info);
  const rep = await phone(browser, info, 'rep4');
  const page = rep.page;
  // the manifest and the service worker: Chromium finds nothing missing to install it
  await page.waitForFunction(async () => (await navigator.serviceWorker.ready).active !== null);
  const manifest = await page.evaluate(async () => {
    const href = document.querySelector('link[rel=manifest]')!.getAttribute('href')!;
    return (await fetch(href)).json();
  });
  expect(manifest).toMatchObject({ short_name: 'BPC', start_url: '/feed', display: 'standalone' });
  const cdp = await rep.context.newCDPSession(page);
  const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
  // (a test browser's contexts are incognito ones, which Chromium never installs from)
  expect(installabilityErrors.map((e) => e.errorId).filter((id) => id !== 'in-incognito')).toEqual([]);

  await registerAtShop(page, info, name);
  // one visit to the check-in page while online, then the feed
  await page.goto('/checkin');
  await ready(page, info);
  await liveFeed(page, info);
  await page.waitForFunction(async () => {
    const pages = await caches.open('bpc-pages-v1');
    return (await pages.match('/feed')) !== undefined && (await pages.match('/checkin')) !== undefined;
  });

  await rep.context.setOffline(true);
  // really offline: a page never visited does not open (in a second tab)
  const other = await rep.context.newPage();
  await expect(other.goto('/pool')).rejects.toThrow();
  await other.close();
  await page.goto('/feed');
  await ready(page, info);
  await expect(page.getByTestId('main-nav')).toBeVisible();
  await page.goto('/checkin');
  await ready(page, info);
  const select = page.getByTestId('customer-select');
  const option = select.locator('option', { hasText: name });
  await expect(option).toHaveCount(1);
  await select.selectOption((await option.getAttribute('value')) ?? '');
  await page.getByTestId('purpose').fill(purpose);
  await page.getByTestId('photos').setInputFiles({ name: 'visit.png', mimeType: 'image/png', buffer: PHOTO });
  await page.getByTestId('checkin-submit').click();
  await expect(page.getByTestId('queued')).toBeVisible();
  await shot(page, info, 'checkin-offline-opened');

  await rep.context.setOffline(false);
  await expect(page.getByTestId('checkin-done')).toContainText(name, { timeout: 15_000 });
  const mgr = await phone(browser, info, 'manager1', false);
  await mgr.page.goto('/feed');
  await expect(mgr.page.getByTestId('feed-item').filter({ hasText: purpose })).toHaveCount(1);
  await rep.context.close();
  await mgr.context.close();
});

test('without JavaScript a check-in is saved without a position and flagged; a follow-up is recorded', async ({ browser }, info) => {
  test.skip(info.project.name === 'hydrated', 'the plain-form path');
  const name = unique('表单客户', info);
  const rep = await phone(browser, info, 'rep3', false);
  await registerAtShop(rep.page, info, name);
  const text = unique('电话回访', info);
  const followup = rep.page.getByTestId('followup-form');
  await followup.locator('textarea[name=text]').fill(text);
  await followup.locator('button[type=submit]').click();
  await expect(rep.page).toHaveURL(/\/customers\/[0-9a-f]+$/);

  await rep.page.goto('/checkin');
  await expect(rep.page.getByTestId('customer-select')).toBeVisible();
  const select = rep.page.getByTestId('customer-select');
  const option = select.locator('option', { hasText: name });
  await select.selectOption((await option.getAttribute('value')) ?? '');
  const purpose = unique('无脚本拜访', info);
  await rep.page.getByTestId('purpose').fill(purpose);
  await rep.page.getByTestId('checkin-submit').click();
  await expect(rep.page).toHaveURL(/\/feed$/);
  const item = rep.page.getByTestId('feed-item').filter({ hasText: purpose });
  await expect(item.locator('.badge.flag[data-flag=no_position]')).toHaveText('无定位');
  await expect(rep.page.getByTestId('feed-item').filter({ hasText: text })).toBeVisible();
  await shot(rep.page, info, 'feed-no-js');
  await rep.context.close();
});

test('a reminder alerts on the open screen at its time and is acknowledged', async ({ browser }, info) => {
  test.skip(info.project.name === 'no-js', 'the alert arrives over the live socket');
  const context = await browser.newContext({ ...info.project.use, baseURL: clockServer(info.project.name) });
  const page = await context.newPage();
  await signIn(page, info, 'rep4');
  await page.goto('/reminders');
  await ready(page, info);
  const title = unique('回电话', info);
  const form = page.getByTestId('reminder-form');
  // today (the server's date is the default), late tonight
  await form.locator('input[name=time]').fill('23:59');
  await form.locator('input[name=title]').fill(title);
  await form.locator('button[type=submit]').click();
  await expect(page.getByTestId('reminder').filter({ hasText: title })).toBeVisible();

  // the rep is looking at the customer list when the time comes (a day passes)
  await page.goto('/customers');
  await ready(page, info);
  const moved = await page.request.post('/test/clock?days=1');
  expect(moved.ok()).toBeTruthy();
  const alert = page.getByTestId('reminder-alert').filter({ hasText: title });
  await expect(alert).toBeVisible({ timeout: 15_000 });
  await shot(page, info, 'reminder-alert');
  await alert.getByTestId('reminder-ack').click();
  await expect(alert).toHaveCount(0);
  await page.goto('/reminders');
  await expect(page.getByTestId('reminder').filter({ hasText: title }).locator('button')).toHaveCount(0);
  await context.close();
});

test('a rep writes the daily log from the day prefilled and the manager sees it in the feed', async ({ browser }, info) => {
  // one log per rep and day: each project writes its own
  const rep = await phone(browser, info, info.project.name === 'no-js' ? 'rep3' : 'rep4', false);
  const name = unique('日报客户', info);
  await registerAtShop(rep.page, info, name);
  const followup = rep.page.getByTestId('followup-form');
  const text = unique('约了演示', info);
  await followup.locator('textarea[name=text]').fill(text);
  await followup.locator('button[type=submit]').click();
  await expect(rep.page).toHaveURL(/\/customers\/[0-9a-f]+$/);

  await rep.page.goto('/logs');
  await ready(rep.page, info);
  await expect(rep.page.getByTestId('log-activity')).toContainText(name);
  const form = rep.page.getByTestId('log-form');
  // the first draft lists the follow-up (a re-run finds the log already saved)
  if ((await rep.page.getByTestId('log-saved').count()) === 0) {
    await expect(form.locator('textarea[name=work]')).toHaveValue(new RegExp(name));
  }
  const work = unique('今天拜访两家', info);
  await form.locator('textarea[name=work]').fill(work);
  await form.locator('input[name=hours]').fill('7.5');
  await form.locator('input[name=expenses]').fill('32');
  await form.locator('button[type=submit]').click();
  await expect(rep.page.getByTestId('log-saved')).toBeVisible();
  await shot(rep.page, info, 'daily-log');

  // yesterday's log is still open today: its tab opens it, and it saves
  await rep.page.getByTestId('log-yesterday').click();
  await expect(rep.page).toHaveURL(/\/logs\?day=\d{4}-\d{2}-\d{2}$/);
  await ready(rep.page, info);
  await expect(rep.page.getByTestId('log-yesterday')).toHaveClass(/active/);
  const yesterday = new URL(rep.page.url()).searchParams.get('day');
  const past = rep.page.getByTestId('log-form');
  await expect(past.locator('input[name=day]')).toHaveValue(yesterday!);
  await past.locator('textarea[name=work]').fill(unique('补写昨天的日报', info));
  await past.locator('input[name=hours]').fill('6');
  await past.locator('button[type=submit]').click();
  await expect(rep.page.getByTestId('log-saved')).toBeVisible();
  await expect(rep.page).toHaveURL(/day=/);
  await shot(rep.page, info, 'daily-log-yesterday');

  const mgr = await phone(browser, info, 'manager1', false);
  await mgr.page.goto('/feed');
  const item = mgr.page.getByTestId('feed-item').filter({ hasText: work });
  await expect(item).toContainText('7.5');
  await rep.context.close();
  await mgr.context.close();
});
