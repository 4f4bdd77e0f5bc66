// What a rep feels on a slow phone network (issue 14): Chromium at 390×844 with
// the network set to slow 4G (1.6 Mbps down, 750 kbps up, 150 ms round trip;
// CDP Network.emulateNetworkConditions) and the CPU slowed 4×
// (Emulation.setCPUThrottlingRate), against a running BPC.
//
// The journey: open /login (empty cache), tap the login field and type for a
// few seconds (the app is prefetched from the first touch), sign in,
// land on /feed, then open /customers and /checkin; then each page again (a
// repeat visit; signed in, /login only sends the rep on to /feed). Last, a phone that is signed in but has never loaded the app
// opens /feed cold (no prefetch from the login page).
// Per page: bytes over the network, when the HTML had arrived, first contentful
// paint, when the WASM was ready to run (loaded and compiled), and when the page
// responds: hydrated (the WASM has run: `window.__bpc_hydrated_at`) for app
// pages, the load event for the login form (a plain form works at once).
// Targets: interactive < 3 s on a first visit, < 1 s on a repeat visit.
// Caveat: the login page's prefetch is not throttled by the emulation (Chromium
// runs prefetches outside the page's network emulation), so it finishes sooner
// than on a real phone; 5 s of typing at 1.6 Mbps would fetch about 1 MB.
//
// Usage: [SW=block] node bench/slow-4g.mjs http://127.0.0.1:PORT   (run by ./bpc slow4g;
// SW=block measures without the service worker, whose own fetches the page's
// network events do not count)
import { createRequire } from 'module';
const require = createRequire(new URL('../end2end/package.json', import.meta.url));
const { chromium } = require('@playwright/test');

const base = process.argv[2] ?? 'http://127.0.0.1:3195';
const TYPING_MS = Number(process.env.TYPING_MS ?? 5000);
const SLOW_4G = {
  offline: false,
  latency: 150,
  downloadThroughput: (1.6 * 1000 * 1000) / 8,
  uploadThroughput: (750 * 1000) / 8,
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});

async function phone() {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 3,
    isMobile: true,
    hasTouch: true,
    geolocation: { latitude: 31.2305, longitude: 121.4738, accuracy: 20 },
    permissions: ['geolocation'],
    // SW=block measures without the service worker
    serviceWorkers: process.env.SW === 'block' ? 'block' : 'allow',
  });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', SLOW_4G);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  let bytes = 0;
  cdp.on('Network.loadingFinished', (e) => { bytes += e.encodedDataLength; });
  return { context, page, take: () => { const b = bytes; bytes = 0; return b; } };
}

/** Timings of the page now shown, in ms from its navigation start. */
async function timings(page, plain) {
  if (plain) {
    await page.waitForLoadState('load');
  } else {
    await page.waitForFunction(() => window.__bpc_hydrated === true, null, { timeout: 60_000, polling: 50 });
  }
  return page.evaluate((plain) => {
    const nav = performance.getEntriesByType('navigation')[0];
    const fcp = performance.getEntriesByName('first-contentful-paint')[0];
    const ready = plain ? nav.loadEventEnd : window.__bpc_hydrated_at - performance.timeOrigin;
    const wasm = plain ? NaN : window.__bpc_wasm_at - performance.timeOrigin;
    return {
      html: Math.round(nav.responseEnd),
      fcp: Math.round(fcp ? fcp.startTime : NaN),
      wasm: Math.round(wasm),
      ready: Math.round(ready),
    };
  }, plain);
}

async function visit(rows, p, path, label, { plain = false, go = true } = {}) {
  p.take();
  if (go) await p.page.goto(base + path, { waitUntil: 'commit', timeout: 120_000 });
  const t = await timings(p.page, plain);
  // let late requests (prefetch, socket, resources) finish before counting
  await p.page.waitForTimeout(plain ? 0 : 1000);
  rows.push({
    page: path,
    visit: label,
    kb: Math.round(p.take() / 1024),
    html_ms: t.html,
    fcp_ms: t.fcp,
    wasm_ms: t.wasm,
    interactive_ms: t.ready,
  });
}

/** One rep's journey; returns its rows. */
async function journey() {
  const rows = [];
  const rep = await phone();
  await visit(rows, rep, '/login', 'first', { plain: true });
  // the rep taps the login field and types while the app's files are prefetched
  const form = rep.page.getByTestId('login-form');
  await form.locator('input[name=login]').click();
  await rep.page.waitForTimeout(TYPING_MS);
  // (a prefetch started from a script is not always reported to the page's
  // network events: its bytes and duration come from the page's resource timing)
  rep.take();
  const prefetched = await rep.page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .filter((e) => e.initiatorType === 'link' && /\/pkg\/bpc\.[0-9a-f]+\.(js|wasm)$/.test(e.name))
      .map((e) => ({ bytes: e.transferSize, ms: e.duration })),
  );
  rows.push({
    page: '/login',
    visit: 'prefetched while typing',
    kb: Math.round(prefetched.reduce((s, p) => s + p.bytes, 0) / 1024),
    html_ms: null,
    fcp_ms: null,
    wasm_ms: Math.round(Math.max(0, ...prefetched.map((p) => p.ms))),
    interactive_ms: null,
  });
  await form.locator('input[name=login]').fill('rep1');
  await form.locator('input[name=password]').fill('demo1234');
  rep.take();
  await Promise.all([rep.page.waitForURL(/\/feed$/, { timeout: 120_000 }), form.locator('button[type=submit]').click()]);
  await visit(rows, rep, '/feed', 'first (after login)', { go: false });
  for (const path of ['/customers', '/checkin']) await visit(rows, rep, path, 'first');
  for (const path of ['/feed', '/customers', '/checkin']) await visit(rows, rep, path, 'repeat');
  // a signed-in phone that never loaded the app opens /feed cold (the rep's
  // phone is put away first: two phones do not share one CPU)
  const cookies = (await rep.context.cookies()).filter((c) => c.name === 'bpc_session' || c.name.startsWith('i18n'));
  await rep.context.close();
  const cold = await phone();
  await cold.context.addCookies(cookies);
  await visit(rows, cold, '/feed', 'first, cold cache');
  await cold.context.close();
  return rows;
}

// This machine's speed varies between runs: the journey runs RUNS times (3
// unless set) and each cell is the median, with the interactive range beside it.
const RUNS = Number(process.env.RUNS ?? 3);
const runs = [];
for (let i = 0; i < RUNS; i++) runs.push(await journey());
const median = (xs) => {
  const v = xs.filter((x) => typeof x === 'number' && !Number.isNaN(x)).sort((a, b) => a - b);
  return v.length ? v[Math.floor((v.length - 1) / 2)] : null;
};
const rows = runs[0].map((row, i) => {
  const cells = runs.map((r) => r[i]);
  const out = { page: row.page, visit: row.visit };
  for (const key of ['kb', 'html_ms', 'fcp_ms', 'wasm_ms', 'interactive_ms']) out[key] = median(cells.map((c) => c[key]));
  const ready = cells.map((c) => c.interactive_ms).filter((x) => typeof x === 'number');
  out.interactive_range = ready.length ? `${Math.min(...ready)}–${Math.max(...ready)}` : '';
  return out;
});

console.log(`slow 4G (1.6 Mbps down, 150 ms RTT), CPU 4× slower; typing ${TYPING_MS} ms on the login page; median of ${RUNS} runs`);
console.table(rows);
await browser.close();
