// Screenshots of the user guides (docs/screenshots/{fr,en}/), taken from a
// running `preau demo` with Debian's Chromium, as its teachers see it.
//
//   preau demo --base-port 8081 --data-dir /tmp/preau-guide-demo &
//   node tools/guide-screenshots/shoot.mjs [BASE_PORT]
//
// Needs the npm packages of tests/browser (bash tests/browser/run.sh
// installs them). Only loopback is contacted. Each shot is the window
// (1280 × 800, or 390 × 844 for a phone), not the whole page.
import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(path.join(ROOT, 'tests', 'browser', 'package.json'));
const { chromium } = require('playwright-core');

const base = Number(process.argv[2] ?? 8081);
const ACADEMY = `http://localhost:${base}`;
const ASSOCIATION = `http://localhost:${base + 1}`;
const PASSWORD = 'preau-demo-2026';
const academyHost = `localhost:${base}`;

/** What each guide shows: [file, instance, account, path, options]. */
const SHOTS = [
  ['home', ACADEMY, 'camille', '/'],
  ['project', ACADEMY, 'camille', '/projects/robotique'],
  ['project-agenda', ACADEMY, 'camille', '/projects/robotique/agenda'],
  ['project-forum', ACADEMY, 'camille', '/projects/robotique/forum'],
  ['project-documents', ACADEMY, 'camille', '/projects/robotique/documents'],
  ['project-members', ACADEMY, 'camille', '/projects/robotique/members'],
  ['remote-person', ACADEMY, 'yann', `/@amina@localhost:${base + 1}`],
  ['forum-bans', ACADEMY, 'camille', '/forums/maths_lycee/bans'],
  ['forum-thread-labels', ASSOCIATION, 'amina', `/forums/maths_lycee@${academyHost}`, { openWhy: true, firstThread: true }],
  ['directory-search', ACADEMY, 'yann', '/directory?q=robot'],
  ['forum-search', ACADEMY, 'yann', '/search?q=automatisme'],
  ['moderation-queue', ACADEMY, 'camille', '/moderation/reports'],
  ['admin', ASSOCIATION, 'amina', '/admin'],
  ['settings-profile', ACADEMY, 'yann', '/settings/profile'],
  ['phone-menu', ACADEMY, 'yann', '/', { phone: true, openMenu: true }],
];

async function logIn(page, origin, account) {
  await page.goto(`${origin}/login`);
  await page.locator('input[name=login]').fill(account);
  await page.locator('input[name=password]').fill(PASSWORD);
  await Promise.all([page.waitForNavigation(), page.locator('form[action="/login"] button[type=submit]').click()]);
}

const browser = await chromium.launch({ executablePath: process.env.PREAU_CHROMIUM ?? '/usr/bin/chromium' });
try {
  for (const [lang, locale] of [['fr', 'fr-FR'], ['en', 'en-GB']]) {
    const dir = path.join(ROOT, 'docs', 'screenshots', lang);
    await mkdir(dir, { recursive: true });
    const sessions = new Map();
    for (const [name, origin, account, pathname, options = {}] of SHOTS) {
      const key = `${origin} ${account} ${options.phone ? 'phone' : 'desk'}`;
      if (!sessions.has(key)) {
        const context = await browser.newContext({
          locale,
          viewport: options.phone ? { width: 390, height: 844 } : { width: 1280, height: 800 },
        });
        const page = await context.newPage();
        await logIn(page, origin, account);
        // The language switch sets a cookie that wins over the browser's.
        await page.goto(`${origin}/lang/${lang}?next=/`);
        sessions.set(key, page);
      }
      const page = sessions.get(key);
      const response = await page.goto(`${origin}${pathname}`);
      if (!response || response.status() >= 400) throw new Error(`${name}: ${pathname} answered ${response?.status()}`);
      if (options.firstThread) {
        await Promise.all([page.waitForNavigation(), page.locator('a[href*="/threads/"]').first().click()]);
      }
      if (options.openWhy) {
        const why = page.locator('main details.trust-why summary').first();
        await why.scrollIntoViewIfNeeded();
        await why.click();
      }
      if (options.openMenu) {
        await page.locator('header details summary').first().click();
      }
      await page.screenshot({ path: path.join(dir, `${name}.png`) });
      console.log(`${lang}/${name}.png ← ${page.url()}`);
    }
  }
} finally {
  await browser.close();
}
