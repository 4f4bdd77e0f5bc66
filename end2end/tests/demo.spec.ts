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

test('a won customer shows its next revisit, not a countdown to confiscation, and can still be visited', async ({ page }, info) => {
  await signIn(page, info, 'rep1');
  await page.goto('/customers');
  await ready(page, info);
  const won = page.getByTestId('customer-card').filter({ has: page.getByTestId('revisit') });
  await expect(won.first()).toBeVisible();
  // no confiscation clock on a won customer's card
  await expect(won.first().getByTestId('countdown')).toHaveCount(0);
  await expect(won.first().getByTestId('revisit')).toHaveText(/天后回访|今天回访/);
  await shot(page, info, 'demo-rep1-won-revisit');
  await won.first().locator('a.customer-link').click();
  await ready(page, info);
  await expect(page.getByTestId('customer-name')).toBeVisible();
  await expect(page.getByTestId('revisit')).toBeVisible();
  await expect(page.getByTestId('countdown')).toHaveCount(0);
  // the visit and the revisit setting stay on the page after the win
  await expect(page.getByTestId('followup-form')).toBeVisible();
  await expect(page.getByTestId('revisit-form')).toBeVisible();
  // the history is in the company's time, not UTC
  await expect(page.getByTestId('history-when').first()).toHaveText(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
  await shot(page, info, 'demo-rep1-won-customer');
});

test('the feed shows a page of cards and the older ones as the reader scrolls; comments open on demand', async ({ page }, info) => {
  await signIn(page, info, 'manager1');
  await ready(page, info);
  const cards = page.getByTestId('feed-item');
  await expect(cards.first()).toBeVisible();
  // a page of 20 cards (hydrated, the next may already be coming if the screen
  // is not full), one comment box only when asked for
  if (info.project.name === 'hydrated') expect(await cards.count()).toBeGreaterThanOrEqual(20);
  else expect(await cards.count()).toBe(20);
  await expect(page.locator('.comment-form')).toHaveCount(0);
  const firstIds = (await cards.evaluateAll((els) => els.map((e) => e.id))).slice(0, 20);
  if (info.project.name === 'hydrated') {
    // scrolling to the end brings the next page, below the first
    await page.getByTestId('feed-more').scrollIntoViewIfNeeded();
    await expect.poll(() => cards.count()).toBeGreaterThan(20);
  } else {
    // without JavaScript, the "older" link opens the next page
    await page.getByTestId('feed-more').click();
    await expect(page).toHaveURL(/\/feed\?before=/);
    await expect(page.getByTestId('feed-newest')).toBeVisible();
  }
  const ids = await cards.evaluateAll((els) => els.map((e) => e.id));
  // live events from other tests may arrive on top meanwhile: the older cards
  // are the ones below the first page's last card
  const older = info.project.name === 'hydrated' ? ids.slice(ids.indexOf(firstIds[firstIds.length - 1]) + 1) : ids;
  expect(older.length).toBeGreaterThan(0);
  expect(older.filter((id) => firstIds.includes(id))).toEqual([]);
  expect(new Set(ids).size).toBe(ids.length);
  await shot(page, info, 'feed-older-page');

  // a comment box opens on the card asked for, and a comment posts from it
  const card = cards.nth(info.project.name === 'hydrated' ? 21 : 1);
  await card.getByTestId('comment-open').click();
  const box = card.locator('.comment-form');
  await expect(box).toHaveCount(1);
  await expect(page.locator('.comment-form')).toHaveCount(1);
  const text = `${info.project.name}-${Date.now().toString(36)} 很有帮助`;
  await box.locator('input[name=text]').fill(text);
  await box.locator('button[type=submit]').click();
  await expect(page.locator(`#${await card.getAttribute('id')}`).getByTestId('comments')).toContainText(text);
  await shot(page, info, 'feed-comment-open');
});

test('manager1 finds confiscated customers in the inbox', async ({ page }, info) => {
  await signIn(page, info, 'manager1');
  await page.goto('/customers?view=inbox');
  await ready(page, info);
  await expect(page.getByTestId('customer-card').first()).toBeVisible();
  await shot(page, info, 'demo-manager1-inbox');
});

test('the boss reads the team list a page at a time, nearest deadline first, and asks for more', async ({ page }, info) => {
  await signIn(page, info, 'boss');
  await page.goto('/customers?view=team');
  await ready(page, info);
  const cards = page.getByTestId('customer-card');
  await expect(cards).toHaveCount(50);
  // the first card has the nearest deadline: no later card is more urgent
  const first = await cards.first().getByTestId('countdown').getAttribute('class');
  expect(first).toContain('urgent');
  await page.getByTestId('list-more').click();
  await ready(page, info);
  await expect(page).toHaveURL(/view=team&n=100/);
  expect(await cards.count()).toBeGreaterThan(50);
  await shot(page, info, 'demo-boss-team-more');
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
  // each stage draws a bar in the brand colour, as long as its count is against the largest
  // (another page's `.bar` once painted every funnel row as an empty grey track)
  const bars = await stages.evaluateAll((rows) => rows.map((row) => {
    const bar = row.querySelector('[data-testid="funnel-bar"]') as HTMLElement;
    const track = bar.parentElement as HTMLElement;
    const style = getComputedStyle(bar);
    return {
      n: Number(row.querySelector('.funnel-n')?.textContent ?? 'NaN'),
      ratio: bar.getBoundingClientRect().width / track.getBoundingClientRect().width,
      height: bar.getBoundingClientRect().height,
      colour: style.backgroundColor,
    };
  }));
  const max = Math.max(...bars.map((b) => b.n));
  expect(max).toBeGreaterThan(0);
  for (const b of bars) {
    expect(b.colour).toBe('rgb(180, 35, 42)');
    expect(b.height).toBeGreaterThanOrEqual(20);
    expect(b.ratio).toBeCloseTo(Math.max(Math.floor((b.n * 100) / max), 2) / 100, 2);
  }
  // next month's number: the demo's reps set close dates on deals in sight
  const months = page.getByTestId('forecast-months');
  await expect(months.getByTestId('forecast-month')).toHaveCount(3);
  const dated = await months.getByTestId('forecast-month').evaluateAll((rows) =>
    rows.map((r) => Number((r.querySelector('td.muted')?.textContent ?? '').replace(/\D/g, ''))));
  expect(dated.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  await expect(months.getByTestId('forecast-undated')).toContainText('单');
  await shot(page, info, 'demo-boss-funnel');
});
