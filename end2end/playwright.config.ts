import { defineConfig } from '@playwright/test';
import * as path from 'path';

// The server under test: the debug build, an in-memory database, the demo company.
const port = Number(process.env.BPC_E2E_PORT ?? 3100);
const root = path.resolve(__dirname, '..');
const bin = process.env.BPC_BIN ?? path.join(root, 'target/debug/bpc');
const site = process.env.BPC_SITE_ROOT ?? path.join(root, 'target/site');

// Playwright cannot download browsers here: use Debian's chromium.
const chromium = {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
};

const phone = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: 'en-US', // the app must still default to zh-CN
  launchOptions: chromium,
};

function server(p: number, args: string[], extraEnv: Record<string, string> = {}) {
  return {
    command: [bin, ...args].join(' '),
    url: `http://127.0.0.1:${p}/healthz`,
    reuseExistingServer: false,
    timeout: 300_000,
    env: {
      DATABASE_URL: 'mem://',
      BPC_LISTEN: `127.0.0.1:${p}`,
      BPC_SITE_ROOT: site,
      BPC_LOGIN_MAX_PER_IP: '1000',
      // photos stay in memory: nothing a test uploads lands in the checkout
      BPC_PHOTOS: 'mem',
      // the existing journeys start from the demo's people without history
      BPC_DEMO_HISTORY: 'false',
      RUST_LOG: 'warn',
      ...extraEnv,
    },
  };
}

/** A demo company whose clock a test may move (`POST /test/clock?days=N`), one per
 * project: journeys that need days to pass run there, one test at a time. */
export function clockServer(project: string): string {
  return `http://localhost:${port + (project === 'no-js' ? 4 : 3)}`;
}

/** The demo company with its 90 days of generated history (read-only journeys). */
export function historyServer(): string {
  return `http://localhost:${port + 5}`;
}

/** The empty installation reserved for a project's setup journey. */
export function emptyServer(project: string): string {
  return `http://localhost:${port + (project === 'no-js' ? 2 : 1)}`;
}

export default defineConfig({
  testDir: './tests',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  // one retry everywhere (CI need not set CI): a test that passes only on its
  // retry is still reported, as "flaky", in the log and in `./bpc test`'s count
  retries: 1,
  reporter: [['list']],
  use: {
    baseURL: `http://localhost:${port}`,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  // Every journey runs twice: hydrated, and as plain server-rendered HTML.
  projects: [
    { name: 'hydrated', use: { ...phone, javaScriptEnabled: true } },
    { name: 'no-js', use: { ...phone, javaScriptEnabled: false } },
  ],
  webServer: [
    server(port, ['--demo']),
    // Empty installations (no demo) for the one-time setup journey, one per project.
    server(port + 1, []),
    server(port + 2, []),
    server(port + 3, ['--demo'], { BPC_TEST_CLOCK: 'true', BPC_REMIND_SECS: '1' }),
    server(port + 4, ['--demo'], { BPC_TEST_CLOCK: 'true', BPC_REMIND_SECS: '1' }),
    // what a newcomer opening the demo sees: people and 90 days of history
    server(port + 5, ['--demo'], { BPC_DEMO_HISTORY: 'true' }),
  ],
});
