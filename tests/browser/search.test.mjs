// Browser end-to-end test: finding things (issue 13). The forums' search page
// (from the search box of a forum) finds a thread by a prefix and marks the match;
// the directory finds a teacher by an abbreviation ("maths") and by the region of
// their academy, lists the results first and folds its filters at 390 px.
//
// One `preau serve` child process on loopback, accounts made with the CLI, Debian's
// Chromium driven by playwright-core, axe-core on every page visited. At 390 px
// wide, the pages must not scroll sideways. With PREAU_SHOTS_DIR set, screenshots
// at 1280 and 390 px go there.
//
// Run with `bash tests/browser/run.sh` from the repository root.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import dns from 'node:dns';
import path from 'node:path';

import { chromium } from 'playwright-core';
import {
  bodyText,
  checkAccessibility,
  clickAndWaitForPage,
  createForum,
  expectField,
  expectNoAlert,
  formWith,
  goto,
  logIn,
  oneInstance,
  postThread,
  submitForm,
} from './lib.mjs';

dns.setDefaultResultOrder('ipv4first');

const CONFIG = 'instance-config/institutional.toml';
const ADMIN = { name: 'lbernard', email: 'lucie.bernard@ac-rennes.fr', password: 'Craie-blanche-2024!' };
const FORUM = 'techno_college';
const THREAD_TITLE = 'Club de robotique au collège';
const SHOTS = process.env.PREAU_SHOTS_DIR;

const { state, step } = oneInstance(chromium, {
  prefix: 'search',
  config: CONFIG,
  people: [{ key: 'page', label: 'admin', user: ADMIN, admin: true }],
});

/** Fails when the page scrolls sideways at its current width. */
async function expectNoSidewaysScroll(page, what) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  assert.ok(scroll <= client, `${what} scrolls sideways: ${scroll} px of content in ${client} px`);
}

/** Screenshots at 1280 and 390 px (when PREAU_SHOTS_DIR is set), axe and the 390 px check. */
async function atBothWidths(page, pathname, name) {
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await goto(page, state.a, pathname);
    await checkAccessibility(page, `${name} at ${width} px`, state.axeFindings);
    if (width === 390) await expectNoSidewaysScroll(page, `${pathname} at 390 px`);
    if (SHOTS) {
      await mkdir(SHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SHOTS, `${name}-${width}.png`), fullPage: true });
    }
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

step('a teacher fills in their profile from the lists and opens a thread', async () => {
  const page = state.page;
  await logIn(page, state.a, ADMIN);
  await goto(page, state.a, '/settings/profile');
  const form = formWith(page, 'bio').first();
  await form.locator('input[type=checkbox][name=subject_choices][value="Mathématiques"]').check();
  await (await expectField(form, 'select[name=academy]', 'profile')).selectOption('Rennes');
  const saved = await submitForm(page, form);
  assert.ok(saved.status() < 400, `saving the profile answered ${saved.status()}:\n${await bodyText(page)}`);
  await expectNoAlert(page, 'saving the profile');
  await checkAccessibility(page, 'profile form (lists)', state.axeFindings);
  await createForum(page, state.a, { name: FORUM, title: 'Technologie au collège' });
  await postThread(page, state.a, { title: THREAD_TITLE, body: 'Des **robots** programmables pour la 5e : vos retours ?' });
});

step('the search box of the forum finds the thread by a prefix, the match marked', async () => {
  const page = state.page;
  await goto(page, state.a, `/forums/${FORUM}`);
  await page.getByLabel('Chercher dans ce forum', { exact: true }).fill('robot');
  await clickAndWaitForPage(page, page.locator('form[role=search] button[type=submit]'));
  assert.match(new URL(page.url()).pathname, /^\/search$/);
  const text = await bodyText(page);
  assert.ok(text.includes('Un message trouvé'), `the number of results is said:\n${text}`);
  assert.equal(await page.getByRole('link', { name: THREAD_TITLE, exact: true }).count(), 1, text);
  assert.equal(await page.locator('.snippet mark').first().innerText(), 'robots');
  await atBothWidths(page, `/search?q=robot&forum=${FORUM}`, 'search');
  await atBothWidths(page, '/forums', 'forums');
});

step('the directory finds the teacher by "maths" and by the region of their academy', async () => {
  const page = state.page;
  for (const query of ['maths', 'Bretagne']) {
    await goto(page, state.a, `/directory?kind=people&q=${encodeURIComponent(query)}`);
    const text = await bodyText(page);
    assert.ok(text.includes('Un enseignant trouvé.'), `"${query}" finds the teacher:\n${text}`);
  }
  await atBothWidths(page, '/directory?q=maths', 'directory');
  await page.setViewportSize({ width: 390, height: 900 });
  await goto(page, state.a, '/directory?q=maths');
  assert.equal(await page.locator('details.directory-filters[open]').count(), 0, 'the filters are folded at 390 px');
  assert.ok(!(await page.getByLabel('Près de', { exact: true }).isVisible()), 'folded filters are hidden');
  const results = await page.locator('#directory-results-heading').boundingBox();
  assert.ok(results.y < 900, `the results start on the first screen at 390 px (at ${results.y} px)`);
  await page.setViewportSize({ width: 1280, height: 900 });
  await goto(page, state.a, '/directory?q=maths');
  assert.ok(await page.getByLabel('Près de', { exact: true }).isVisible(), 'the filters are shown beside the results at 1280 px');
});
