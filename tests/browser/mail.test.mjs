// Browser end-to-end test: replies by e-mail across two instances (issue 12).
//
// Instance A sends its mail to a real SMTP server on loopback and receives replies
// by e-mail on its own SMTP listener (`mail.receive_listen`, `mail.reply_domain`).
// A's teacher sets replies to "by e-mail at once" on /settings/notifications, opens
// a thread in her forum and keeps a page open; B's teacher follows the forum and
// replies from B's remote-forum page. On A, the header count rises without a reload,
// the notifications page links to the reply, and the mail arrives (French, HTML and
// plain text, List-Unsubscribe, a Reply-To address of the reply domain). The teacher
// answers the mail as a mail program does, over SMTP, quote and signature included:
// the thread on A shows her answer without them, and so does B's copy, once
// federated. axe-core checks every page visited, the mail's HTML included.
//
// Real parts only: two `preau serve` child processes on loopback, accounts made with
// the CLI, smtp-server + mailparser as the outgoing mail server, an SMTP dialogue
// written with node's `net` to A's listener, Debian's Chromium driven by
// playwright-core. Nothing leaves 127.0.0.1.
//
// Run with `bash tests/browser/run.sh` from the repository root.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
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
  expectNoAlert,
  followRemoteForum,
  formWith,
  freePort,
  goto,
  launchChromium,
  logIn,
  newInstance,
  newPages,
  postReply,
  postThread,
  reloadUntil,
  sendMail,
  setUp,
  squash,
  startInstance,
  startMailCatcher,
  stepper,
  submitForm,
  tearDown,
  waitForMail,
} from './lib.mjs';

// "localhost" must reach the servers, which listen on 127.0.0.1 only.
dns.setDefaultResultOrder('ipv4first');

const CONFIG = 'instance-config/institutional.toml';
const STEP_TIMEOUT_MS = 90_000;
const FEDERATION_TIMEOUT_MS = 20_000;
// Notification mails go out every 30 s (src/jobs/mod.rs): one round, and some slack.
const MAIL_TIMEOUT_MS = 45_000;
const REPLY_DOMAIN = 'reponses.preau.test';

const LUCIE = {
  name: 'lbernard',
  email: 'lucie.bernard@ac-rennes.fr',
  password: 'Craie-blanche-2024!',
  signature: 'Lucie Bernard\nProfesseure de mathématiques, lycée Chateaubriand',
};
const CAMILLE = { name: 'cmartin', email: 'camille.martin@ac-rennes.fr', password: 'Tableau-noir-2024!' };

const FORUM = { name: 'maths_lycee', title: 'Mathématiques au lycée', description: 'Entre collègues de mathématiques.' };
const THREAD_TITLE = 'Les fractions en seconde : par où commencer ?';
const THREAD_BODY = 'Mes élèves de seconde bloquent sur les fractions. Comment les reprenez-vous ?';
const REPLY_TEXT = 'Avec des bandes de papier pliées en deux, puis en quatre';
const REPLY_BODY = `${REPLY_TEXT} : ils *voient* les fractions équivalentes.`;
const ANSWER = 'Merci Camille, je teste les bandes de papier demain avec ma seconde 4.';

const state = {
  a: newInstance('A', 'mails out, replies by e-mail in'),
  b: newInstance('B'),
  mail: null, // the loopback SMTP server A sends to
  receivePort: 0, // A's listener of replies by e-mail
  browser: null,
  pageA: null, // Lucie on A
  pageB: null, // Camille on B
  failed: false,
  axeFindings: [],
  dialogs: [],
  threadPathA: null,
  threadPathB: null,
  replyLink: null, // the mail's link to Camille's reply on A
  notification: null, // the mail about it
};
const INSTANCES = () => [state.a, state.b];
const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const forumHandle = () => `${FORUM.name}@${state.a.domain}`;

const step = stepper(state, {
  prefix: 'mail',
  timeoutMs: STEP_TIMEOUT_MS,
  pages: () => [['A', state.pageA], ['B', state.pageB]],
});

/** `reloadUntil` with this test's federation bound, both servers watched. */
function waitFor(page, inst, pathname, predicate) {
  return reloadUntil(page, inst, pathname, predicate, { timeoutMs: FEDERATION_TIMEOUT_MS, instances: INSTANCES() });
}

/** Screenshots of `page` at 1280 and 390 px wide into ARTIFACTS (`mail-NAME-WIDTH.png`). */
async function screenshotsAtBothWidths(page, name) {
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: path.join(ARTIFACTS, `mail-${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

setUp(state, async () => {
  state.mail = await startMailCatcher();
  state.receivePort = await freePort();
  await startInstance(state.a, {
    config: CONFIG,
    prefix: 'preau-browser-mail',
    extraEnv: {
      PREAU_MAIL_SMTP_URL: state.mail.url,
      PREAU_MAIL_REPLY_DOMAIN: REPLY_DOMAIN,
      PREAU_MAIL_RECEIVE_LISTEN: `127.0.0.1:${state.receivePort}`,
    },
  });
  console.log(`instance A: mail out to ${state.mail.url}, replies in on 127.0.0.1:${state.receivePort}`);
  await startInstance(state.b, { config: CONFIG, prefix: 'preau-browser-mail' });
  await createUser(state.a, LUCIE, { admin: true });
  await createUser(state.b, CAMILLE);
  state.browser = await launchChromium(chromium);
  [state.pageA, state.pageB] = await newPages(state.browser, 2, state.dialogs);
});

tearDown(state, { prefix: 'mail', instances: INSTANCES, cleanUp: () => state.mail?.close() });

step('A: the teacher chooses "by e-mail at once" for replies', async () => {
  const page = state.pageA;
  await logIn(page, state.a, LUCIE);
  const response = await goto(page, state.a, '/settings/notifications');
  assert.equal(response.status(), 200, `GET /settings/notifications answered ${response.status()}`);
  await checkAccessibility(page, 'notification settings (A)', state.axeFindings);
  // Away from the default first, so that the choice below is one the teacher makes.
  const form = formWith(page, 'kind-reply').first();
  await page.locator('label[for="kind-reply-site"]').click();
  await submitForm(page, form);
  assert.ok(await page.locator('#kind-reply-site').isChecked(), 'replies set to "on the site only"');
  const label = page.locator('label[for="kind-reply-mail"]');
  assert.match(squash(await label.innerText()), /par courriel immédiatement/, 'the choice reads "par courriel immédiatement"');
  await label.click();
  const saved = await submitForm(page, formWith(page, 'kind-reply').first());
  assert.ok(saved.status() < 400, `saving the settings answered ${saved.status()}:\n${await bodyText(page)}`);
  await expectNoAlert(page, 'saving the notification settings');
  assert.ok(
    (await page.locator('[role=status]').allInnerTexts()).some((t) => t.trim()),
    `a confirmation after saving:\n${await bodyText(page)}`,
  );
  assert.equal(
    squash(await page.locator('main .flash[role=status]').innerText()),
    'Vos réglages de notifications sont enregistrés.',
    'the confirmation names what was saved',
  );
  await goto(page, state.a, '/settings/notifications');
  assert.ok(await page.locator('#kind-reply-mail').isChecked(), 'replies stay "by e-mail at once" once reloaded');
  assert.equal(await page.locator('main .flash').count(), 0, 'the confirmation shows once, not on the next visit');
  await checkAccessibility(page, 'notification settings (A, saved)', state.axeFindings);
});

step('A: the teacher opens a thread in her forum', async () => {
  const page = state.pageA;
  await createForum(page, state.a, FORUM);
  await checkAccessibility(page, 'forum page (A)', state.axeFindings);
  state.threadPathA = await postThread(page, state.a, { title: THREAD_TITLE, body: THREAD_BODY });
  await checkAccessibility(page, 'thread page (A)', state.axeFindings);
});

step('B: the teacher follows the forum and finds the thread on the remote-forum page', async () => {
  const page = state.pageB;
  await logIn(page, state.b, CAMILLE);
  await followRemoteForum(page, state.b, forumHandle(), { timeoutMs: FEDERATION_TIMEOUT_MS, instances: INSTANCES() });
  const arrived = await waitFor(page, state.b, `/forums/${forumHandle()}`, async (p) =>
    (await p.locator('.thread-list a', { hasText: THREAD_TITLE }).count()) > 0,
  );
  assert.ok(arrived, `the thread did not reach B's remote-forum page:\n${await bodyText(page)}\n${allLogTails(INSTANCES(), 40)}`);
  await checkAccessibility(page, 'remote forum page (B)', state.axeFindings);
  await clickAndWaitForPage(page, page.locator('.thread-list a', { hasText: THREAD_TITLE }).first());
  state.threadPathB = new URL(page.url()).pathname;
  assert.match(state.threadPathB, /^\/threads\/\d+$/, `B's thread link led to ${page.url()}`);
  await checkAccessibility(page, 'remote thread page (B)', state.axeFindings);
});

step('B replies; on A\'s open page the header count rises without a reload', async () => {
  const pageA = state.pageA;
  await goto(pageA, state.a, '/');
  await pageA.waitForSelector('body[data-live-state=open]', { state: 'attached', timeout: 20_000 });
  assert.equal((await pageA.locator('#unread-count').innerText()).trim(), '', 'nothing unread before the reply');
  // A mark that a reload or a navigation would wipe out.
  await pageA.evaluate(() => {
    window.keptOpen = true;
  });

  const pageB = state.pageB;
  await postReply(pageB, state.b, REPLY_BODY);
  assert.equal(await pageB.locator('.post.reply', { hasText: REPLY_TEXT }).count(), 1, `B shows the reply:\n${await bodyText(pageB)}`);

  await pageA.waitForFunction(
    () => (document.getElementById('unread-count')?.textContent ?? '').trim() === '1',
    null,
    { timeout: FEDERATION_TIMEOUT_MS },
  );
  assert.equal(await pageA.evaluate(() => window.keptOpen), true, 'A\'s page was not reloaded');
  assert.match(
    squash(await pageA.locator('#nav-notifications').evaluate((el) => el.textContent)),
    /Notifications non lues : 1/,
    'the header link says so to screen readers too',
  );
});

step('A: the mail arrives, in French, HTML and text, with its reply address and unsubscribe header', async () => {
  const mail = await waitForMail(state.mail, LUCIE.email, { timeoutMs: MAIL_TIMEOUT_MS, instances: INSTANCES() });
  state.notification = mail;
  const { parsed } = mail;
  const threadId = state.threadPathA.split('/').pop();
  const replyTo = parsed.replyTo?.value?.[0]?.address ?? '';
  assert.match(
    replyTo,
    new RegExp(`^reply\\+f${threadId}\\.[^@]+@${escapeRegExp(REPLY_DOMAIN)}$`),
    `Reply-To of the mail: ${parsed.headers.get('reply-to')?.text}`,
  );
  assert.match(squash(parsed.subject ?? ''), /a répondu dans « .+ »/, `a French subject: ${parsed.subject}`);
  assert.ok(parsed.subject.includes(THREAD_TITLE), `the subject names the thread: ${parsed.subject}`);
  const text = parsed.text ?? '';
  const html = parsed.html || '';
  assert.ok(text.includes(REPLY_TEXT), `the plain text quotes the reply:\n${text}`);
  assert.match(text, /Répondez à ce courriel/, `the plain text says how to answer:\n${text}`);
  assert.ok(html, 'an HTML part');
  assert.match(html, /<html lang="fr"/, 'the HTML part is in French');
  // Sent before the teacher opens the notification on the site: once read there, it is not mailed.
  const links = text.match(new RegExp(`${escapeRegExp(state.a.base + state.threadPathA)}#post-\\d+`, 'g')) ?? [];
  assert.equal(links.length, 1, `the plain text links to the reply on ${state.threadPathA}:\n${text}`);
  [state.replyLink] = links;
  assert.ok(html.includes(`href="${state.replyLink}"`), `the HTML links to the reply ${state.replyLink}:\n${html}`);
  // mailparser folds the List-* headers into one object: read the header lines.
  const header = (name) => parsed.headerLines.find((h) => h.key === name)?.line.replace(/^[^:]+:\s*/, '') ?? '';
  const unsubscribe = header('list-unsubscribe');
  assert.match(unsubscribe, new RegExp(`^<${escapeRegExp(state.a.base)}/unsubscribe/.+>$`), `a List-Unsubscribe header leading to A: ${unsubscribe}`);
  assert.equal(header('list-unsubscribe-post'), 'List-Unsubscribe=One-Click', 'one-click unsubscribe (RFC 8058)');

  // The HTML as a mail program shows it: read by axe-core, and screenshots.
  const page = await state.browser.newPage({ locale: 'fr-FR' });
  try {
    await page.setContent(html, { waitUntil: 'load' });
    await screenshotsAtBothWidths(page, 'notification');
    await checkAccessibility(page, 'notification mail (HTML)', state.axeFindings);
  } finally {
    await page.close();
  }
});

step('A: the notifications page lists the reply; its link, like the mail\'s, opens the thread at the reply', async () => {
  const page = state.pageA;
  await goto(page, state.a, '/notifications');
  await checkAccessibility(page, 'notifications (A)', state.axeFindings);
  const unread = page.locator('.notification.unread');
  assert.equal(await unread.count(), 1, `one unread notification:\n${await bodyText(page)}`);
  assert.ok((await unread.innerText()).includes(THREAD_TITLE), `it names the thread: ${await unread.innerText()}`);
  await clickAndWaitForPage(page, unread.locator('.notification-text a').first());
  const url = new URL(page.url());
  assert.equal(url.pathname, state.threadPathA, `the link leads to the thread, is ${page.url()}`);
  assert.match(url.hash, /^#post-\d+$/, `the link points at the reply: ${url.hash}`);
  assert.equal(page.url(), state.replyLink, 'the notification and the mail lead to the same place');
  const target = page.locator(url.hash);
  assert.equal(await target.count(), 1, `the anchor ${url.hash} exists`);
  assert.ok((await target.innerText()).includes(REPLY_TEXT), `the anchor is the reply: ${await target.innerText()}`);
  await checkAccessibility(page, 'thread page (A, at the reply)', state.axeFindings);
});

step('A: the teacher answers the mail from her mail program; the thread shows it without quote or signature', async () => {
  const { parsed } = state.notification;
  const replyTo = parsed.replyTo.value[0].address;
  const quoted = parsed.text.trimEnd().split('\n').map((line) => (line ? `> ${line}` : '>')).join('\n');
  const boundary = `=_${randomBytes(8).toString('hex')}`;
  const htmlAnswer =
    `<div>${ANSWER}</div><br><div>-- <br>${LUCIE.signature.replace('\n', '<br>')}</div>` +
    `<div class="gmail_quote">Le jeu. 3 déc. 2026 à 16:02, ${parsed.from.text} a écrit :<br>` +
    `<blockquote>${parsed.html.replace(/^[\s\S]*<body>|<\/body>[\s\S]*$/g, '')}</blockquote></div>`;
  // Top-posted, as most mail programs write: the answer, the signature, then the quote.
  const message = [
    `From: Lucie Bernard <${LUCIE.email}>`,
    `To: ${replyTo}`,
    `Subject: Re: ${parsed.subject}`,
    `Date: ${new Date().toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${randomBytes(12).toString('hex')}@ac-rennes.fr>`,
    ...(parsed.messageId ? [`In-Reply-To: ${parsed.messageId}`, `References: ${parsed.messageId}`] : []),
    'MIME-Version: 1.0',
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    ANSWER,
    '',
    '-- ',
    LUCIE.signature,
    '',
    `Le jeu. 3 déc. 2026 à 16:02, ${parsed.from.text} a écrit :`,
    quoted,
    '',
    `--${boundary}`,
    'Content-Type: text/html; charset=UTF-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    htmlAnswer,
    '',
    `--${boundary}--`,
    '',
  ].join('\r\n');
  const transcript = await sendMail(state.receivePort, { from: LUCIE.email, to: replyTo, message });
  const last = transcript[transcript.length - 1];
  assert.deepEqual(
    transcript.map(([, code]) => code),
    [220, 250, 250, 250, 354, 250, 221],
    `A's listener refused the answer at ${last[0]}: ${last[2]}`,
  );

  const page = state.pageA;
  const posted = await waitFor(page, state.a, state.threadPathA, async (p) =>
    (await p.locator('.post.reply', { hasText: ANSWER }).count()) > 0,
  );
  assert.ok(posted, `the answer did not appear on A's thread:\n${await bodyText(page)}\n${allLogTails(INSTANCES(), 40)}`);
  const reply = page.locator('.post.reply', { hasText: ANSWER });
  assert.equal(await reply.count(), 1, 'the answer is posted once');
  const replyText = squash(await reply.innerText());
  for (const unwanted of ['a écrit', REPLY_TEXT, 'Chateaubriand', 'Répondez à ce courriel', '>']) {
    assert.ok(!replyText.includes(unwanted), `the posted answer holds "${unwanted}": ${replyText}`);
  }
  assert.ok(replyText.includes(`@${LUCIE.name}`), `posted as Lucie: ${replyText}`);
  await checkAccessibility(page, 'thread page (A, with the answer by mail)', state.axeFindings);
  await screenshotsAtBothWidths(page, 'thread');
});

step('B: the answer by mail reaches B\'s copy of the thread', async () => {
  const page = state.pageB;
  const arrived = await waitFor(page, state.b, state.threadPathB, async (p) =>
    (await p.locator('.post.reply', { hasText: ANSWER }).count()) > 0,
  );
  assert.ok(arrived, `the answer did not reach B:\n${await bodyText(page)}\n${allLogTails(INSTANCES(), 40)}`);
  const reply = squash(await page.locator('.post.reply', { hasText: ANSWER }).innerText());
  assert.ok(reply.includes(`@${LUCIE.name}@${state.a.domain}`), `B names its author with her origin: ${reply}`);
  assert.ok(!reply.includes('Chateaubriand') && !reply.includes('a écrit'), `no signature nor quote on B: ${reply}`);
  assert.deepEqual(state.dialogs, [], 'no dialog may open');
  await checkAccessibility(page, 'remote thread page (B, with the answer by mail)', state.axeFindings);
});
