// Browser end-to-end test: the moderators' reports queue (issue 13).
//
// One instance. A teacher opens a thread, a colleague reports it from the
// thread page; the admin follows the header's "Modération" link to the queue,
// resolves the report by removing the post with a reason (a confirmation page
// first) and reads the notice; the author then reads the reason on the thread
// and on the forum page. axe-core checks every page visited, and the queue
// must not scroll sideways at 390 px.
//
// Real parts only: a `preau serve` child on loopback, accounts made with the
// `preau admin create-user` CLI, Debian's Chromium driven by playwright-core.
// PREAU_SHOTS_DIR, when set, receives screenshots of the queue at 1280 and 390 px.
import assert from 'node:assert/strict';
import dns from 'node:dns';
import path from 'node:path';

import { chromium } from 'playwright-core';
import {
  bodyText,
  checkAccessibility,
  clickAndWaitForPage,
  createForum,
  createUser,
  goto,
  launchChromium,
  logIn,
  newInstance,
  newPages,
  postThread,
  setUp,
  startInstance,
  stepper,
  tearDown,
} from './lib.mjs';

dns.setDefaultResultOrder('ipv4first');

const CONFIG = 'instance-config/institutional.toml';
const ADMIN = { name: 'lbernard', email: 'lucie.bernard@ac-rennes.fr', password: 'Craie-blanche-2024!' };
const AUTHOR = { name: 'cmartin', email: 'camille.martin@ac-rennes.fr', password: 'Tableau-noir-2024!' };
const REPORTER = { name: 'jdurand', email: 'jeanne.durand@ac-rennes.fr', password: 'Cahier-bleu-2024!' };
const FORUM = { name: 'vie_scolaire', title: 'Vie scolaire' };
const THREAD = { title: 'Vente de fiches à prix cassés', body: 'Écrivez-moi pour mes tarifs.' };
const REPORT_REASON = 'Publicité pour des fiches payantes';
const REMOVAL_REASON = 'Les annonces commerciales ne sont pas admises ici (charte, article 3).';

const state = {
  a: newInstance('A'),
  browser: null,
  admin: null,
  author: null,
  reporter: null,
  failed: false,
  axeFindings: [],
  dialogs: [],
  threadPath: null,
};

const step = stepper(state, {
  prefix: 'moderation',
  timeoutMs: 60_000,
  pages: () => [['admin', state.admin], ['author', state.author], ['reporter', state.reporter]],
});

setUp(state, async () => {
  await startInstance(state.a, { config: CONFIG, prefix: 'preau-browser-moderation' });
  await createUser(state.a, ADMIN, { admin: true });
  await createUser(state.a, AUTHOR);
  await createUser(state.a, REPORTER);
  state.browser = await launchChromium(chromium);
  [state.admin, state.author, state.reporter] = await newPages(state.browser, 3, state.dialogs);
});

tearDown(state, { prefix: 'moderation', instances: () => [state.a] });

async function noSidewaysScroll(page, what) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `${what} scrolls sideways by ${overflow}px at ${page.viewportSize()?.width}px`);
}

async function shots(page, name) {
  const dir = process.env.PREAU_SHOTS_DIR;
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await noSidewaysScroll(page, name);
    if (dir) await page.screenshot({ path: path.join(dir, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

step('a teacher opens a thread and a colleague reports it', async () => {
  await logIn(state.admin, state.a, ADMIN);
  await createForum(state.admin, state.a, FORUM);
  await logIn(state.author, state.a, AUTHOR);
  await goto(state.author, state.a, `/forums/${FORUM.name}`);
  state.threadPath = await postThread(state.author, state.a, THREAD);

  const page = state.reporter;
  await logIn(page, state.a, REPORTER);
  await goto(page, state.a, state.threadPath);
  await page.locator('summary', { hasText: 'Signaler' }).first().click();
  const form = page.locator('form[action$="/report"]').first();
  await form.locator('textarea[name=reason]').fill(REPORT_REASON);
  const sent = await clickAndWaitForPage(page, form.locator('button[type=submit]'));
  assert.ok(sent.status() < 400, `the report answered ${sent.status()}:\n${await bodyText(page)}`);
  // Back on the thread with a notice, not on the form's address: a reload posts nothing.
  assert.equal(new URL(page.url()).pathname, state.threadPath, `after reporting, on ${page.url()}`);
  assert.ok((await bodyText(page)).includes('Signalement envoyé aux modérateurs.'), 'the report is confirmed');
  const again = await page.goto(new URL('/post/1/report', page.url()).href);
  assert.equal(again.status(), 405, 'the form\'s address answers 405 to a GET');
  assert.match(again.headers()['content-type'] ?? '', /text\/html/, 'as a page, not JSON');
  await page.goBack();
  assert.ok(!(await bodyText(page)).includes('Modération'), 'a teacher who moderates nothing has no "Modération" link');
});

step('the admin finds the report through the header and removes the post with a reason', async () => {
  const page = state.admin;
  await goto(page, state.a, '/forums');
  const link = page.locator('#nav-moderation');
  assert.match(await link.innerText(), /Modération\s*1/, 'the header counts one open report');
  await clickAndWaitForPage(page, link);
  assert.equal(new URL(page.url()).pathname, '/moderation/reports');
  let text = await bodyText(page);
  assert.ok(text.includes(THREAD.title) && text.includes(REPORT_REASON) && text.includes(FORUM.title), text);
  assert.ok(text.includes(REPORTER.name), 'moderators see who reported');
  await checkAccessibility(page, 'reports queue', state.axeFindings);
  await shots(page, 'moderation-queue');

  const report = page.locator('li.report').first();
  await report.locator('textarea[name=note]').fill('Troisième annonce de ce type.');
  await report.getByLabel('Retirer aussi le message').check();
  await report.locator('input[name=reason]').fill(REMOVAL_REASON);
  await clickAndWaitForPage(page, report.getByRole('button', { name: 'Traiter' }));
  text = await bodyText(page);
  assert.ok(text.includes('Retirer ce message ?') && text.includes(REMOVAL_REASON), text);
  await checkAccessibility(page, 'removal confirmation', state.axeFindings);
  await shots(page, 'moderation-confirm');

  await clickAndWaitForPage(page, page.locator('button.danger'));
  assert.equal(new URL(page.url()).pathname, '/moderation/reports');
  const notice = page.locator('.flash[role=status]');
  assert.match(await notice.innerText(), /Message retiré, signalement traité/);
  text = await bodyText(page);
  assert.ok(text.includes('Aucun signalement en attente.'), text);
  // The empty queue still leads on: each moderated forum with its bans page.
  const moderated = page.locator('section[aria-labelledby=moderated-heading]');
  assert.ok((await moderated.innerText()).includes(FORUM.title), await moderated.innerText());
  assert.equal(await moderated.locator(`a[href="/forums/${FORUM.name}/bans"]`).count(), 1, 'a link to the bans page');
  await checkAccessibility(page, 'reports queue after resolving', state.axeFindings);
  await shots(page, 'moderation-done');
});

step('the author reads why, on the thread and on the forum; never who reported', async () => {
  const page = state.author;
  const response = await goto(page, state.a, state.threadPath);
  assert.equal(response.status(), 410);
  let text = await bodyText(page);
  assert.ok(text.includes(REMOVAL_REASON), text);
  assert.ok(!text.includes(REPORTER.name), 'the reporter stays unnamed');
  await checkAccessibility(page, 'removed thread (author)', state.axeFindings);
  await goto(page, state.a, `/forums/${FORUM.name}`);
  text = await bodyText(page);
  assert.ok(text.includes('Vos messages retirés par la modération') && text.includes(REMOVAL_REASON), text);
  assert.ok(!text.includes(REPORTER.name), 'the reporter stays unnamed');
  await checkAccessibility(page, 'forum with a removed post (author)', state.axeFindings);
  await shots(page, 'moderation-author-forum');

  const other = state.reporter;
  await goto(other, state.a, `/forums/${FORUM.name}`);
  assert.ok(!(await bodyText(other)).includes(REMOVAL_REASON), 'others do not read the reason on the forum');
});
