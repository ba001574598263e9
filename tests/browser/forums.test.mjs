// Browser end-to-end test: federated forums across two instances.
//
// Instance A: an admin creates a forum in the UI. Instance B: a teacher follows it
// by its handle (!NAME@localhost:PORTA) and waits until the follow is accepted.
// Then, on A, the admin opens a thread (Markdown preview first, then publish); the
// thread reaches B; the teacher replies on B; the reply reaches A. Author handles
// show their origin, and axe-core checks every page visited.
//
// Real parts only: two `preau serve` child processes on loopback, accounts made with
// the `preau admin create-user` CLI, Debian's Chromium driven by playwright-core.
// Nothing leaves 127.0.0.1.
//
// Run with `bash tests/browser/run.sh` from the repository root (see that file for
// the environment variables).
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import dns from 'node:dns';
import path from 'node:path';

import { chromium } from 'playwright-core';
import {
  ARTIFACTS,
  allLogTails,
  bodyText,
  checkAccessibility,
  clickAndWaitForPage,
  createForum,
  createUser,
  expectField,
  expectNoAlert,
  followRemoteForum,
  formWith,
  goto,
  launchChromium,
  logIn,
  newInstance,
  newPages,
  postReply,
  reloadUntil,
  setUp,
  squash,
  startInstance,
  stepper,
  tearDown,
  waitForOutboxDrained,
} from './lib.mjs';

// "localhost" must reach the servers, which listen on 127.0.0.1 only.
dns.setDefaultResultOrder('ipv4first');

const CONFIG = 'instance-config/institutional.toml';

const STEP_TIMEOUT_MS = 60_000;
const FEDERATION_TIMEOUT_MS = 20_000;

const ADMIN = { name: 'lbernard', email: 'lucie.bernard@ac-rennes.fr', password: 'Craie-blanche-2024!' };
const TEACHER = { name: 'cmartin', email: 'camille.martin@ac-rennes.fr', password: 'Tableau-noir-2024!' };

const FORUM_NAME = 'maths_lycee';
const FORUM_TITLE = 'Mathématiques au lycée';
const FORUM_DESCRIPTION = 'Échanges entre collègues de **mathématiques** : progressions, évaluations, ressources.';
const THREAD_TITLE = 'Progression en géométrie dans l’espace';
const THREAD_STRONG = 'vecteurs de l’espace';
const THREAD_ITEMS = ['positions relatives de droites', 'plans et repères'];
const THREAD_BODY =
  `Bonjour à toutes et à tous,\n\nJe commence par les **${THREAD_STRONG}**, puis :\n\n` +
  THREAD_ITEMS.map((item) => `- ${item}`).join('\n') +
  '\n\nQuelle progression suivez-vous ?';
const REPLY_EM = 'produit scalaire';
const REPLY_TEXT = 'Chez nous, on finit l’année par le';
const REPLY_BODY = `${REPLY_TEXT} *${REPLY_EM}* dans l’espace, après les plans.`;

// ---------------------------------------------------------------------------
// Shared state
// ---------------------------------------------------------------------------
const state = {
  a: newInstance('A'),
  b: newInstance('B'),
  browser: null,
  pageA: null, // the admin on instance A
  pageB: null, // the teacher on instance B
  failed: false,
  axeFindings: [],
  dialogs: [],
  threadPathA: null, // /threads/ID on A
  threadPathB: null, // /threads/ID on B
  outboxBeforeReply: null, // A's delivery counts before B replies
};

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/** `reloadUntil`, with this test's federation timeout and both servers watched. */
function waitFor(page, inst, pathname, predicate) {
  return reloadUntil(page, inst, pathname, predicate, { timeoutMs: FEDERATION_TIMEOUT_MS, instances: [state.a, state.b] });
}

const step = stepper(state, {
  prefix: 'forums',
  timeoutMs: STEP_TIMEOUT_MS,
  pages: () => [['A', state.pageA], ['B', state.pageB]],
});

// ---------------------------------------------------------------------------
// Set-up and tear-down
// ---------------------------------------------------------------------------
setUp(state, async () => {
  await startInstance(state.a, { config: CONFIG, prefix: 'preau-browser-forums' });
  await startInstance(state.b, { config: CONFIG, prefix: 'preau-browser-forums' });
  await createUser(state.a, ADMIN, { admin: true });
  await createUser(state.b, TEACHER);
  state.browser = await launchChromium(chromium);
  // Two contexts: each instance's session cookie is bound to "localhost" whatever
  // the port, so one context would mix the two log-ins.
  [state.pageA, state.pageB] = await newPages(state.browser, 2, state.dialogs);
});

tearDown(state, { prefix: 'forums', instances: () => [state.a, state.b] });

// ---------------------------------------------------------------------------
// Scenario
// ---------------------------------------------------------------------------
const forumHandleOnA = () => `${FORUM_NAME}@${state.a.domain}`;
const forumPathOnB = () => `/forums/${forumHandleOnA()}`;

step('A: the admin logs in and creates a forum from /forums', async () => {
  const page = state.pageA;
  await logIn(page, state.a, ADMIN);
  const response = await goto(page, state.a, '/forums');
  assert.equal(response.status(), 200, `GET ${state.a.base}/forums answered ${response.status()}`);
  assert.match((await page.locator('html').getAttribute('lang')) ?? '', /^fr\b/i, '<html lang> on /forums should be "fr"');
  await checkAccessibility(page, 'forums list (A, admin)', state.axeFindings);

  await createForum(page, state.a, { name: FORUM_NAME, title: FORUM_TITLE, description: FORUM_DESCRIPTION });
  const text = await bodyText(page);
  assert.ok(text.includes(FORUM_TITLE), `the forum page should show its title ${FORUM_TITLE}:\n${text}`);
  assert.ok(text.includes(`!${forumHandleOnA()}`), `the forum page should show its handle !${forumHandleOnA()}:\n${text}`);
  assert.ok(
    (await page.locator('.forum-description strong', { hasText: 'mathématiques' }).count()) > 0,
    'the forum description\'s **mathématiques** should be rendered as <strong>',
  );
  await checkAccessibility(page, 'forum page (A, new forum)', state.axeFindings);

  // The forum is listed.
  await goto(page, state.a, '/forums');
  assert.ok(
    (await page.locator(`a[href="/forums/${FORUM_NAME}"]`).count()) > 0,
    `/forums on A should link to /forums/${FORUM_NAME}:\n${await bodyText(page)}`,
  );
  await checkAccessibility(page, 'forums list (A, with the forum)', state.axeFindings);
});

step('B: the teacher follows the forum by its handle and the follow is accepted', async () => {
  const page = state.pageB;
  await logIn(page, state.b, TEACHER);
  const response = await goto(page, state.b, '/forums');
  assert.equal(response.status(), 200, `GET ${state.b.base}/forums answered ${response.status()}`);
  const text = await bodyText(page);
  assert.ok(text.includes('Suivre un forum d’une autre instance') || text.includes("Suivre un forum d'une autre instance"),
    `/forums on B should offer "Suivre un forum d’une autre instance":\n${text}`);
  await checkAccessibility(page, 'forums list (B, teacher)', state.axeFindings);

  await followRemoteForum(page, state.b, forumHandleOnA(), {
    timeoutMs: FEDERATION_TIMEOUT_MS,
    instances: [state.a, state.b],
    onFollowed: async () => {
      const first = await bodyText(page);
      assert.ok(first.includes(FORUM_TITLE), `B's page of the remote forum should show its title ${FORUM_TITLE}:\n${first}`);
      assert.match(first, /Demande de suivi envoyée|Vous suivez ce forum/, `B's forum page should show the follow state:\n${first}`);
      await checkAccessibility(page, 'remote forum page (B, just followed)', state.axeFindings);
    },
  });
  await checkAccessibility(page, 'remote forum page (B, follow accepted)', state.axeFindings);
});

step('A: the admin previews a thread, then publishes it', async () => {
  const page = state.pageA;
  await goto(page, state.a, `/forums/${FORUM_NAME}`);
  const form = formWith(page, 'body').filter({ has: page.locator('input[name=title]') });
  assert.equal(await form.count(), 1, `no compose form (fields "title", "body") on ${page.url()}`);
  await (await expectField(form, 'input[name=title]', 'compose')).fill(THREAD_TITLE);
  await (await expectField(form, '[name=body]', 'compose')).fill(THREAD_BODY);
  const previewButton = await expectField(form, 'button[name=preview]', 'compose');
  assert.match((await previewButton.innerText()).trim(), /Aperçu/, 'the preview button should read "Aperçu"');

  const previewed = await clickAndWaitForPage(page, previewButton);
  assert.ok(previewed.status() < 400, `the preview answered ${previewed.status()} at ${page.url()}:\n${await bodyText(page)}`);
  await expectNoAlert(page, 'the preview');
  const preview = page.locator('.preview');
  assert.ok((await preview.count()) > 0, `no .preview section after clicking "Aperçu" at ${page.url()}:\n${await bodyText(page)}`);
  assert.ok(
    (await preview.locator('strong', { hasText: THREAD_STRONG }).count()) > 0,
    `the preview should render **${THREAD_STRONG}** as <strong>; it holds: ${await preview.innerHTML()}`,
  );
  for (const item of THREAD_ITEMS) {
    assert.ok(
      (await preview.locator('li', { hasText: item }).count()) > 0,
      `the preview should render "- ${item}" as a list item; it holds: ${await preview.innerHTML()}`,
    );
  }
  // Nothing is published by a preview, and the form keeps what was typed.
  const kept = formWith(page, 'body').filter({ has: page.locator('input[name=title]') });
  assert.equal(await kept.count(), 1, `no compose form after the preview on ${page.url()}`);
  assert.equal(await kept.locator('input[name=title]').inputValue(), THREAD_TITLE, 'the preview should keep the title');
  assert.equal(
    (await kept.locator('[name=body]').inputValue()).replace(/\r\n/g, '\n'),
    THREAD_BODY,
    'the preview should keep the body',
  );
  assert.equal(
    await page.locator('.thread-list a', { hasText: THREAD_TITLE }).count(),
    0,
    'a preview must not publish the thread',
  );
  await checkAccessibility(page, 'compose preview (A)', state.axeFindings);

  const publish = kept.locator('button[type=submit]:not([name=preview]), input[type=submit]:not([name=preview])');
  assert.equal(await publish.count(), 1, `expected one publish button besides "Aperçu" on ${page.url()}`);
  const published = await clickAndWaitForPage(page, publish);
  assert.ok(published.status() < 400, `publishing answered ${published.status()} at ${page.url()}:\n${await bodyText(page)}`);
  await expectNoAlert(page, 'publishing the thread');
  const pathname = new URL(page.url()).pathname;
  assert.match(pathname, /^\/threads\/\d+$/, `after publishing, the browser should be on /threads/ID, is on ${page.url()}:\n${await bodyText(page)}`);
  state.threadPathA = pathname;
  const text = await bodyText(page);
  assert.equal((await page.locator('h1').innerText()).trim(), THREAD_TITLE, 'the thread page <h1> should be the title');
  assert.ok(text.includes(`@${ADMIN.name}@${state.a.domain}`), `the thread page should show the author @${ADMIN.name}@${state.a.domain}:\n${text}`);
  assert.ok(
    (await page.locator('.post.thread strong', { hasText: THREAD_STRONG }).count()) > 0,
    'the thread body should render Markdown',
  );
  await checkAccessibility(page, 'thread page (A, new thread)', state.axeFindings);
});

step('B: the thread reaches the followed forum on B', async () => {
  const page = state.pageB;
  const arrived = await waitFor(
    page,
    state.b,
    forumPathOnB(),
    async (p) => (await p.locator('.thread-list a', { hasText: THREAD_TITLE }).count()) > 0,
  );
  assert.ok(
    arrived,
    `the thread "${THREAD_TITLE}" did not appear on ${state.b.base}${forumPathOnB()} within ${FEDERATION_TIMEOUT_MS} ms; ` +
      `the page shows:\n${await bodyText(page)}\n${allLogTails([state.a, state.b], 40)}`,
  );
  const item = page.locator('.thread-list li', { hasText: THREAD_TITLE });
  const meta = (await item.innerText()).replace(/\s+/g, ' ');
  assert.ok(meta.includes(`@${ADMIN.name}@${state.a.domain}`), `the thread on B should name its author @${ADMIN.name}@${state.a.domain}: ${meta}`);
  await checkAccessibility(page, 'remote forum page (B, with the thread)', state.axeFindings);

  const link = item.locator('a').first();
  const href = await link.getAttribute('href');
  assert.match(href ?? '', /^\/threads\/\d+$/, `the thread link on B should be /threads/ID, is ${href}`);
  await clickAndWaitForPage(page, link);
  state.threadPathB = new URL(page.url()).pathname;
  assert.equal(state.threadPathB, href, `following the thread link should land on ${href}, landed on ${page.url()}`);
  const text = await bodyText(page);
  assert.equal((await page.locator('h1').innerText()).trim(), THREAD_TITLE, 'B\'s thread page <h1> should be the title');
  assert.ok(text.includes(`@${ADMIN.name}@${state.a.domain}`), `B's thread page should show the author @${ADMIN.name}@${state.a.domain}:\n${text}`);
  assert.ok(
    (await page.locator('.post.thread strong', { hasText: THREAD_STRONG }).count()) > 0,
    `B's thread page should show the rendered Markdown (<strong>${THREAD_STRONG}</strong>)`,
  );
  for (const item of THREAD_ITEMS) {
    assert.ok(
      (await page.locator('.post.thread li', { hasText: item }).count()) > 0,
      `B's thread page should show the list item "${item}"`,
    );
  }
  await checkAccessibility(page, 'remote thread page (B)', state.axeFindings);
});

step('B: the teacher replies to the thread', async () => {
  // A's outbox before the reply: the Announce of the reply comes on top.
  state.outboxBeforeReply = await waitForOutboxDrained(state.a, {
    timeoutMs: FEDERATION_TIMEOUT_MS,
    instances: [state.a, state.b],
  });
  assert.ok(state.outboxBeforeReply.drained, `A's outbox did not drain before the reply: ${JSON.stringify(state.outboxBeforeReply.counts)}`);
  const page = state.pageB;
  await postReply(page, state.b, REPLY_BODY);
  const reply = page.locator('.post.reply', { hasText: REPLY_TEXT });
  assert.equal(await reply.count(), 1, `B's thread page should show the reply once:\n${await bodyText(page)}`);
  assert.ok((await reply.locator('em', { hasText: REPLY_EM }).count()) > 0, 'the reply\'s *produit scalaire* should be rendered as <em>');
  await checkAccessibility(page, 'remote thread page (B, after replying)', state.axeFindings);
});

step('A: the reply from B appears on the thread, with its origin', async () => {
  const page = state.pageA;
  const arrived = await waitFor(
    page,
    state.a,
    state.threadPathA,
    async (p) => (await p.locator('.post.reply', { hasText: REPLY_TEXT }).count()) > 0,
  );
  assert.ok(
    arrived,
    `B's reply did not appear on ${state.a.base}${state.threadPathA} within ${FEDERATION_TIMEOUT_MS} ms; ` +
      `the page shows:\n${await bodyText(page)}\n${allLogTails([state.a, state.b], 40)}`,
  );
  const reply = page.locator('.post.reply', { hasText: REPLY_TEXT });
  assert.equal(await reply.count(), 1, `the reply should appear once on A:\n${await bodyText(page)}`);
  const replyText = (await reply.innerText()).replace(/\s+/g, ' ');
  assert.ok(
    replyText.includes(`@${TEACHER.name}@${state.b.domain}`),
    `the reply on A should name its author with its origin, @${TEACHER.name}@${state.b.domain}; it reads: ${replyText}`,
  );
  assert.ok((await reply.locator('em', { hasText: REPLY_EM }).count()) > 0, 'the remote reply should keep its <em>');
  const text = await bodyText(page);
  assert.ok(text.includes(`@${ADMIN.name}@${state.a.domain}`), `A's thread page should still show the thread author:\n${text}`);
  assert.deepEqual(state.dialogs, [], 'no dialog may open');
  await checkAccessibility(page, 'thread page (A, with the remote reply)', state.axeFindings);

  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, 'forum-thread.png'), fullPage: true });

  // The forum page on A counts the reply.
  await goto(page, state.a, `/forums/${FORUM_NAME}`);
  await checkAccessibility(page, 'forum page (A, with the thread)', state.axeFindings);
});

step('B: once the forum has announced the reply back, B still shows it once', async () => {
  const page = state.pageB;
  // A queued its Announce of the reply to B's follower inbox when it stored the reply
  // (the previous step saw it there). Once A's outbox has nothing pending, B has answered
  // that delivery, having applied (or recognised) the Announce: only then is "once" meaningful.
  const { drained, counts } = await waitForOutboxDrained(state.a, {
    timeoutMs: FEDERATION_TIMEOUT_MS,
    instances: [state.a, state.b],
  });
  assert.ok(
    drained,
    `A still had deliveries pending after ${FEDERATION_TIMEOUT_MS} ms: ${JSON.stringify(counts)}\n${allLogTails([state.a, state.b], 40)}`,
  );
  assert.equal(counts.failed + counts.refused, 0, `A's deliveries, the Announce to B included, should all be done: ${JSON.stringify(counts)}`);
  const before = state.outboxBeforeReply.counts;
  assert.ok(
    counts.done > before.done,
    `A should have delivered the Announce of the reply to B: done ${before.done} before the reply, ${counts.done} now`,
  );
  const response = await goto(page, state.b, state.threadPathB);
  assert.equal(response.status(), 200, `GET ${state.b.base}${state.threadPathB} answered ${response.status()}`);
  const replies = page.locator('.post.reply', { hasText: REPLY_TEXT });
  assert.equal(await replies.count(), 1, `B's thread page should show the reply exactly once:\n${await bodyText(page)}`);
  const forum = await goto(page, state.b, forumPathOnB());
  assert.equal(forum.status(), 200);
  const meta = (await page.locator('.thread-list li', { hasText: THREAD_TITLE }).innerText()).replace(/\s+/g, ' ');
  assert.match(meta, /Une réponse|1 réponse/, `B's forum page should count one reply for the thread: ${meta}`);
  await checkAccessibility(page, 'remote forum page (B, after the reply)', state.axeFindings);
});

const INST_FORUM = 'reserve_academie';
const REFUSED_TITLE = 'Une question refusée ?';

step('A: the admin makes a forum for institutional authors only', async () => {
  const page = state.pageA;
  await createForum(page, state.a, { name: INST_FORUM, title: 'Réservé aux académies', minPostLevel: 'institutional' });
  assert.ok((await bodyText(page)).includes('Instances institutionnelles seulement'));
});

step('B: the rule shows before posting, and a refused thread is marked refused with the reason', async () => {
  const page = state.pageB;
  const handle = `${INST_FORUM}@${state.a.domain}`;
  await followRemoteForum(page, state.b, handle, { timeoutMs: FEDERATION_TIMEOUT_MS, instances: [state.a, state.b] });
  // B's teacher is told who may post before writing (B's level is not verified by A).
  const before = await bodyText(page);
  assert.ok(before.includes('Instances institutionnelles seulement'), `the posting rule should show on B:\n${before}`);
  await checkAccessibility(page, 'remote institutional-only forum (B)', state.axeFindings);

  const form = formWith(page, 'body').filter({ has: page.locator('input[name=title]') });
  await (await expectField(form, 'input[name=title]', 'compose')).fill(REFUSED_TITLE);
  await (await expectField(form, '[name=body]', 'compose')).fill('Je tente ma chance.');
  const publish = form.locator('button[type=submit]:not([name=preview])');
  await clickAndWaitForPage(page, publish);
  const threadPath = new URL(page.url()).pathname;
  assert.match(threadPath, /^\/threads\/\d+$/, `after publishing, B should show the thread, is on ${page.url()}`);
  const refused = await waitFor(page, state.b, threadPath, async (p) =>
    (await bodyText(p)).includes('Refusé par le forum'),
  );
  assert.ok(refused, `B should mark the thread refused by A:\n${await bodyText(page)}\n${allLogTails([state.a, state.b], 40)}`);
  const notice = squash(await page.locator('.post.thread [role=status]').innerText());
  assert.match(notice, /Refusé par le forum : .+/, `the refusal should give the forum's reason: ${notice}`);
  await checkAccessibility(page, 'refused thread (B)', state.axeFindings);
  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, 'refused-thread-1280.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: path.join(ARTIFACTS, 'refused-thread-390.png'), fullPage: true });
  await goto(page, state.b, `/forums/${handle}`);
  assert.ok(
    (await page.locator('.thread-list li', { hasText: REFUSED_TITLE }).innerText()).includes('Refusé'),
    'the forum list should badge the refused thread',
  );
  await page.screenshot({ path: path.join(ARTIFACTS, 'refused-forum-390.png'), fullPage: true });
  await checkAccessibility(page, 'remote forum with a refused thread (B, 390 px)', state.axeFindings);
  await page.setViewportSize({ width: 1280, height: 800 });
});
