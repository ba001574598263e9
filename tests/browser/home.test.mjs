// Browser end-to-end test: a teacher's side (issue 12): the header's count of
// unread notifications, the notifications page (opening one marks it read; "mark
// all as read" without JavaScript), and the logged-in home showing a new reply.
//
// One `preau serve` child process on loopback, accounts made with the CLI, Debian's
// Chromium driven by playwright-core, axe-core on every page visited. At 390 px
// wide, the home, the notifications and a thread page must not scroll sideways.
// With PREAU_SHOTS_DIR set, screenshots at 1280 and 390 px go there.
//
// Run with `bash tests/browser/run.sh` from the repository root.
import assert from 'node:assert/strict';
import dns from 'node:dns';

import { chromium } from 'playwright-core';
import {
  atBothWidths,
  bodyText,
  checkAccessibility,
  clickAndWaitForPage,
  createForum,
  createUser,
  expectField,
  expectNoAlert,
  formWith,
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
const TEACHER = { name: 'cmartin', email: 'camille.martin@ac-rennes.fr', password: 'Tableau-noir-2024!' };
const FORUM = 'svt_college';
const THREAD_TITLE = 'Sortie géologie en quatrième : vos idées ?';
const REPLY_ONE = 'Nous allons chaque année à la carrière de Saint-Malo, très bien accueillis.';
const REPLY_TWO = 'Pensez aussi à la fiche sécurité, je peux partager la nôtre.';

const state = {
  a: newInstance('A'),
  browser: null,
  admin: null, // page of the admin (thread author, notified)
  teacher: null, // page of the teacher (who replies)
  failed: false,
  axeFindings: [],
  dialogs: [],
  threadPath: null,
};

const step = stepper(state, {
  prefix: 'home',
  timeoutMs: 60_000,
  pages: () => [['admin', state.admin], ['teacher', state.teacher]],
});

setUp(state, async () => {
  await startInstance(state.a, { config: CONFIG, prefix: 'preau-browser-home' });
  await createUser(state.a, ADMIN, { admin: true });
  await createUser(state.a, TEACHER);
  state.browser = await launchChromium(chromium);
  [state.admin, state.teacher] = await newPages(state.browser, 2, state.dialogs);
});

tearDown(state, { prefix: 'home', instances: () => [state.a] });

/** The header's notification link and its accessible name. */
async function headerCount(page) {
  const link = page.locator('#nav-notifications');
  const badge = link.locator('.count');
  return {
    shown: (await badge.count()) ? (await badge.innerText()).trim() : '',
    name: squashName(await link.evaluate((el) => el.textContent)),
  };
}
const squashName = (s) => (s ?? '').replace(/\s+/g, ' ').trim();

step('the admin creates a forum and opens a thread', async () => {
  const page = state.admin;
  await logIn(page, state.a, ADMIN);
  await createForum(page, state.a, { name: FORUM, title: 'SVT au collège', description: 'Entre collègues de SVT.' });
  state.threadPath = await postThread(page, state.a, { title: THREAD_TITLE, body: 'Où emmenez-vous vos élèves ?' });
  // Nothing unread yet: no count in the header.
  assert.equal((await headerCount(page)).shown, '', 'no count before any reply');
  await goto(page, state.a, '/');
  await checkAccessibility(page, 'home (admin, before the reply)', state.axeFindings);
});

step('the teacher replies; the admin sees the count rise live, then in the header of every page', async () => {
  // The admin's home stays open, not reloaded: its stream is connected.
  await state.admin.waitForSelector('body[data-live-state=open]', { state: 'attached', timeout: 20000 });
  const page = state.teacher;
  await logIn(page, state.a, TEACHER);
  await goto(page, state.a, state.threadPath);
  const form = formWith(page, 'body').filter({ has: page.locator('#reply-body') });
  await (await expectField(form, 'textarea[name=body]', 'reply')).fill(REPLY_ONE);
  await clickAndWaitForPage(page, form.locator('button[type=submit]:not([name=preview])'));
  await expectNoAlert(page, 'replying');

  const admin = state.admin;
  // Without a reload: the event stream updates the badge and its accessible text.
  await admin.waitForFunction(
    () => (document.getElementById('unread-count')?.textContent ?? '').trim() === '1',
    null,
    { timeout: 20000 },
  );
  assert.match((await headerCount(admin)).name, /Notifications non lues : 1/, 'the live accessible text');
  for (const where of ['/forums', state.threadPath, '/']) {
    await goto(admin, state.a, where);
    const count = await headerCount(admin);
    assert.equal(count.shown, '1', `the header of ${where} shows 1 unread notification`);
    assert.match(count.name, /1 notification non lue/, `accessible name of the link on ${where}: ${count.name}`);
  }
});

step('the home shows the new reply, linked to its place in the thread', async () => {
  const page = state.admin;
  await goto(page, state.a, '/');
  const item = page.locator('.feed-item', { hasText: REPLY_ONE });
  assert.equal(await item.count(), 1, `the home lists the reply:\n${await bodyText(page)}`);
  const href = await item.locator('a').first().getAttribute('href');
  assert.match(href ?? '', new RegExp(`^${state.threadPath}#post-\\d+$`), `the reply's link: ${href}`);
  assert.ok((await item.locator('.trust').count()) > 0, 'the author carries a trust label');
  await checkAccessibility(page, 'home (admin, with a reply)', state.axeFindings);
  await atBothWidths(page, state.a, '/', 'home');
});

step('opening the notification marks it read and leads to the reply', async () => {
  const page = state.admin;
  await goto(page, state.a, '/notifications');
  await checkAccessibility(page, 'notifications (one unread)', state.axeFindings);
  assert.ok((await bodyText(page)).includes('Aujourd’hui'), 'grouped under "Aujourd’hui"');
  const unread = page.locator('.notification.unread');
  assert.equal(await unread.count(), 1, `one unread notification:\n${await bodyText(page)}`);
  await atBothWidths(page, state.a, '/notifications', 'notifications');
  await clickAndWaitForPage(page, page.locator('.notification.unread .notification-text a'));
  const url = new URL(page.url());
  assert.equal(url.pathname, state.threadPath, `the link leads to the thread, is ${page.url()}`);
  assert.match(url.hash, /^#post-\d+$/, `the link points at the reply: ${url.hash}`);
  assert.equal(await page.locator(`${url.hash}`).count(), 1, `the anchor ${url.hash} exists`);
  assert.equal((await headerCount(page)).shown, '', 'the count is gone once opened');
  await atBothWidths(page, state.a, state.threadPath, 'thread');
  await goto(page, state.a, '/notifications');
  assert.equal(await page.locator('.notification.unread').count(), 0, 'nothing unread after opening');
});

step('"mark all as read" works without JavaScript and confirms', async () => {
  const teacher = state.teacher;
  await goto(teacher, state.a, state.threadPath);
  const form = formWith(teacher, 'body').filter({ has: teacher.locator('#reply-body') });
  await (await expectField(form, 'textarea[name=body]', 'reply')).fill(REPLY_TWO);
  await clickAndWaitForPage(teacher, form.locator('button[type=submit]:not([name=preview])'));

  const context = await state.browser.newContext({ locale: 'fr-FR', javaScriptEnabled: false });
  await context.route(
    (url) => !['localhost', '127.0.0.1', '[::1]'].includes(url.hostname),
    (route) => route.abort('blockedbyclient'),
  );
  try {
    const page = await context.newPage();
    await logIn(page, state.a, ADMIN);
    await goto(page, state.a, '/notifications');
    assert.equal(await page.locator('.notification.unread').count(), 1, 'the second reply is unread');
    await clickAndWaitForPage(page, page.locator('form[action="/notifications/read"] button[name=all]'));
    assert.equal(new URL(page.url()).pathname, '/notifications', 'back on the notifications page');
    const status = page.locator('[role=status]');
    assert.match(await status.first().innerText(), /marquées comme lues/, 'a confirmation');
    assert.equal(await page.locator('.notification.unread').count(), 0, 'all read');
    assert.equal((await headerCount(page)).shown, '', 'no count in the header');
  } finally {
    await context.close();
  }
});
