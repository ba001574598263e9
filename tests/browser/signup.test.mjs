// Browser end-to-end test: institutional sign-up with e-mail verification, log-in,
// profile edition, the public profile (HTML and ActivityPub), the language switch,
// and an axe-core accessibility check on every page visited.
//
// Real parts only: the `preau` binary as a child process, a real SMTP server on
// loopback (smtp-server + mailparser), Debian's Chromium driven by playwright-core.
// Nothing leaves 127.0.0.1.
//
// Run with `bash tests/browser/run.sh` from the repository root (see that file for
// the environment variables).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import dns from 'node:dns';
import path from 'node:path';

import { chromium } from 'playwright-core';
import {
  ARTIFACTS,
  alertTexts,
  bodyText,
  checkAccessibility,
  expectField,
  formWith,
  goto,
  launchChromium,
  newBrowserContext,
  newInstance,
  prepareInstance,
  setUp,
  startMailCatcher,
  startServer,
  stepper,
  submitForm,
  tearDown,
  waitForMail,
} from './lib.mjs';

// "localhost" must reach the server, which listens on 127.0.0.1 only.
dns.setDefaultResultOrder('ipv4first');

const CONFIG = 'instance-config/institutional.toml';

const MAIL_TIMEOUT_MS = 15_000;
const STEP_TIMEOUT_MS = 60_000;

const USERNAME = 'cmartin';
const PASSWORD = 'Tableau-noir-2024!';
const ACADEMIC_EMAIL = 'camille.martin@ac-rennes.fr';
const NON_ACADEMIC_EMAIL = 'prof@gmail.com';
const DISPLAY_NAME = 'Camille Martin';
const NEW_DISPLAY_NAME = 'Camille Martin-Le Goff';
const BOLD_TEXT = 'géométrie dans l’espace';
const BIO = `Professeure de mathématiques à Rennes.\n\nJ’aime la **${BOLD_TEXT}**.\n\n<script>alert(1)</script>`;
const SUBJECTS = 'Mathématiques, Physique-chimie';

// ---------------------------------------------------------------------------
// Shared state
// ---------------------------------------------------------------------------
const state = {
  mail: null, // the loopback SMTP server (lib.mjs startMailCatcher)
  server: newInstance('signup', 'sign-up with mail over SMTP'),
  browser: null,
  context: null,
  page: null,
  failed: false,
  axeFindings: [],
  dialogs: [],
};

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------
async function fillSignup(page, email) {
  const form = formWith(page, 'username').first();
  assert.equal(await form.count(), 1, `no sign-up form (field "username") on ${page.url()}`);
  await (await expectField(form, 'input[name=username]', 'sign-up')).fill(USERNAME);
  await (await expectField(form, 'input[name=email]', 'sign-up')).fill(email);
  await (await expectField(form, 'input[name=password]', 'sign-up')).fill(PASSWORD);
  await (await expectField(form, 'input[name=display_name]', 'sign-up')).fill(DISPLAY_NAME);
  const charter = await expectField(form, 'input[name=accept_charter]', 'sign-up');
  assert.equal(await charter.getAttribute('type'), 'checkbox', 'accept_charter should be a checkbox');
  await charter.check();
  await expectField(form, 'input[type=hidden][name=csrf_token]', 'sign-up');
  return form;
}

/** Polls `<html lang>` (across navigations) until it matches `re`; returns the last value seen. */
async function waitForHtmlLang(page, re, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let lang = null;
  while (Date.now() < deadline) {
    try {
      await page.waitForLoadState('load', { timeout: 1_000 });
      lang = await page.locator('html').getAttribute('lang', { timeout: 1_000 });
      if (re.test(lang ?? '')) return lang;
    } catch {
      /* navigating */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return lang;
}

const step = stepper(state, {
  prefix: 'signup',
  timeoutMs: STEP_TIMEOUT_MS,
  pages: () => [['', state.page]],
});

// ---------------------------------------------------------------------------
// Set-up and tear-down
// ---------------------------------------------------------------------------
setUp(state, async () => {
  state.mail = await startMailCatcher();
  await prepareInstance(state.server, {
    config: CONFIG,
    extraEnv: { PREAU_MAIL_SMTP_URL: state.mail.url },
    fastDelivery: false,
  });
  console.log(`instance ${state.server.label}: SMTP 127.0.0.1:${state.mail.port}`);
  await startServer(state.server);
  state.browser = await launchChromium(chromium);
  ({ context: state.context, page: state.page } = await newBrowserContext(state.browser, state.dialogs));
});

tearDown(state, { prefix: 'signup', instances: () => [state.server], cleanUp: () => state.mail?.close() });

// ---------------------------------------------------------------------------
// Scenario
// ---------------------------------------------------------------------------
step('sign-up form is served in French and is accessible', async () => {
  const page = state.page;
  const response = await goto(page, state.server, '/signup');
  assert.equal(response.status(), 200, `GET /signup answered ${response.status()}`);
  const lang = await page.locator('html').getAttribute('lang');
  assert.match(lang ?? '', /^fr\b/i, `<html lang> on /signup with locale fr-FR should be "fr", got ${JSON.stringify(lang)}`);
  await fillSignup(page, NON_ACADEMIC_EMAIL); // checks every field exists
  await goto(page, state.server, '/signup'); // fresh, untouched form for axe
  await checkAccessibility(page, 'signup', state.axeFindings);
});

step('sign-up with a non-academic address is refused with an alert and no mail', async () => {
  const page = state.page;
  const form = await fillSignup(page, NON_ACADEMIC_EMAIL);
  const response = await submitForm(page, form);
  const stillForm = (await page.locator('form input[name=username]').count()) > 0;
  assert.ok(
    response.status() === 422 || stillForm,
    `signing up with ${NON_ACADEMIC_EMAIL} should answer 422 or show the form again; got ${response.status()} at ${page.url()}:\n${await bodyText(page)}`,
  );
  assert.ok(response.status() < 500, `server error ${response.status()} on sign-up:\n${await bodyText(page)}`);
  const alerts = await alertTexts(page);
  assert.ok(alerts.length > 0, `no non-empty [role=alert] after a refused sign-up at ${page.url()}:\n${await bodyText(page)}`);
  console.log(`sign-up refusal alert: ${alerts.join(' | ')}`);
  await checkAccessibility(page, 'signup error', state.axeFindings);
  // Préau sends the verification mail within the sign-up request, so a mail sent by
  // mistake would be here already; the next step checks again once its own mail arrived.
  assert.deepEqual(
    state.mail.mails.map((m) => m.to),
    [],
    'no e-mail may be sent for a refused sign-up',
  );
});

let verifyLink = null;

step('sign-up with an academic address sends a verification e-mail', async () => {
  const page = state.page;
  await goto(page, state.server, '/signup');
  const form = await fillSignup(page, ACADEMIC_EMAIL);
  const response = await submitForm(page, form);
  const text = await bodyText(page);
  assert.ok(response.status() < 400, `sign-up with ${ACADEMIC_EMAIL} answered ${response.status()} at ${page.url()}:\n${text}`);
  assert.equal(
    (await alertTexts(page)).length,
    0,
    `sign-up with ${ACADEMIC_EMAIL} shows an alert: ${(await alertTexts(page)).join(' | ')}`,
  );
  assert.match(text, /courriel|e-?mail|message|adresse/i, `the sign-up confirmation page should mention the e-mail sent:\n${text}`);
  await checkAccessibility(page, 'signup done', state.axeFindings);

  const mail = await waitForMail(state.mail, ACADEMIC_EMAIL, { timeoutMs: MAIL_TIMEOUT_MS, instances: [state.server] });
  assert.deepEqual(
    state.mail.mails.filter((m) => !m.to.includes(ACADEMIC_EMAIL.toLowerCase())).map((m) => m.to),
    [],
    'the refused sign-up sent no e-mail, even later',
  );
  const mailText = `${mail.parsed.text ?? ''}\n${mail.parsed.html || ''}`;
  const escapedBase = state.server.base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = mailText.match(new RegExp(`${escapedBase}/verify\\?token=[^\\s"'<>]+`));
  assert.ok(
    match,
    `the verification e-mail has no ${state.server.base}/verify?token=... link; subject ${JSON.stringify(mail.parsed.subject)}, text:\n${mailText}`,
  );
  verifyLink = match[0].replace(/&amp;/g, '&');
  assert.ok(mail.parsed.subject, 'the verification e-mail has no subject');
});

step('the verification link verifies the address', async () => {
  const page = state.page;
  const response = await page.goto(verifyLink, { waitUntil: 'load' });
  const text = await bodyText(page);
  assert.ok(response && response.status() < 400, `GET ${verifyLink} answered ${response?.status()}:\n${text}`);
  assert.equal((await alertTexts(page)).length, 0, `the verify page shows an alert: ${(await alertTexts(page)).join(' | ')}`);
  assert.match(text, /vérifié|confirmé|validé/i, `the verify page should say the address is verified:\n${text}`);
  await checkAccessibility(page, 'verify', state.axeFindings);
});

step('a first log-in lands on the home, with a welcome and a prompt to complete the profile', async () => {
  const page = state.page;
  const response = await goto(page, state.server, '/login');
  assert.equal(response.status(), 200, `GET /login answered ${response.status()}`);
  await checkAccessibility(page, 'login', state.axeFindings);
  const form = formWith(page, 'login').first();
  assert.equal(await form.count(), 1, `no log-in form (field "login") on ${page.url()}`);
  await (await expectField(form, 'input[name=login]', 'log-in')).fill(USERNAME);
  await (await expectField(form, 'input[name=password]', 'log-in')).fill(PASSWORD);
  const after = await submitForm(page, form);
  assert.ok(after.status() < 400, `log-in answered ${after.status()} at ${page.url()}:\n${await bodyText(page)}`);
  assert.equal(
    new URL(page.url()).pathname,
    '/',
    `after a first log-in the browser should be on the home page, is on ${page.url()}:\n${await bodyText(page)}`,
  );
  const welcome = page.locator('.welcome');
  assert.equal(await welcome.count(), 1, `no welcome on the home after a first log-in:\n${await bodyText(page)}`);
  const prompt = welcome.getByRole('link', { name: 'Compléter mon profil' });
  assert.equal(await prompt.getAttribute('href'), '/settings/profile', 'the welcome links to the profile form');
  await checkAccessibility(page, 'home (after a first log-in)', state.axeFindings);
});

step('edit the profile in /settings/profile', async () => {
  const page = state.page;
  const response = await goto(page, state.server, '/settings/profile');
  assert.equal(response.status(), 200, `GET /settings/profile answered ${response.status()} at ${page.url()}`);
  await checkAccessibility(page, 'settings', state.axeFindings);
  const form = formWith(page, 'bio').first();
  assert.equal(await form.count(), 1, `no profile form (field "bio") on ${page.url()}`);
  await (await expectField(form, 'input[name=display_name]', 'profile')).fill(NEW_DISPLAY_NAME);
  await (await expectField(form, '[name=bio]', 'profile')).fill(BIO);
  await (await expectField(form, 'input[name=subjects]', 'profile')).fill(SUBJECTS);
  for (const level of ['maternelle', 'primaire', 'college', 'adapte', 'lycee', 'lycee_pro', 'bts', 'cpge', 'superieur', 'formation_adultes', 'autre']) {
    await expectField(form, `input[type=checkbox][name=levels][value=${level}]`, `profile level ${level}`);
  }
  await form.locator('input[type=checkbox][name=levels][value=lycee]').check();
  await (await expectField(form, 'input[name=languages]', 'profile')).fill('fr, en');
  await (await expectField(form, 'select[name=academy]', 'profile')).selectOption('Rennes');
  await (await expectField(form, 'input[name=school]', 'profile')).fill('Lycée Chateaubriand');
  await (await expectField(form, 'input[name=interests]', 'profile')).fill('eTwinning, robotique');
  const saved = await submitForm(page, form);
  const alerts = await alertTexts(page);
  assert.ok(saved.status() < 400, `saving the profile answered ${saved.status()} at ${page.url()}: ${alerts.join(' | ')}\n${await bodyText(page)}`);
  assert.equal(alerts.length, 0, `saving the profile shows an alert: ${alerts.join(' | ')}`);
  await checkAccessibility(page, 'settings (after saving)', state.axeFindings);
});

step('the public profile shows the new data, rendered Markdown and no script', async () => {
  const page = state.page;
  const response = await goto(page, state.server, `/users/${USERNAME}`);
  assert.equal(response.status(), 200, `GET /users/${USERNAME} answered ${response.status()}`);
  const text = await bodyText(page);
  assert.ok(text.includes(NEW_DISPLAY_NAME), `the profile should show the name ${NEW_DISPLAY_NAME}:\n${text}`);
  for (const subject of ['Mathématiques', 'Physique-chimie']) {
    assert.ok(text.includes(subject), `the profile should show the subject ${subject}:\n${text}`);
  }
  const strong = page.locator('strong', { hasText: BOLD_TEXT });
  assert.ok((await strong.count()) > 0, `the bio's **${BOLD_TEXT}** should be a <strong> element`);
  const injected = await page.evaluate(() =>
    [...document.querySelectorAll('script')].filter((s) => s.textContent.includes('alert(1)')).length,
  );
  assert.equal(injected, 0, 'the bio\'s <script>alert(1)</script> must not become a <script> element');
  assert.deepEqual(state.dialogs, [], 'a dialog was opened: the bio\'s script ran');
  await checkAccessibility(page, 'profile', state.axeFindings);

  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, 'profile.png'), fullPage: true });
});

step('the profile as ActivityPub is a Person with a public key', async () => {
  const url = `${state.server.base}/users/${USERNAME}`;
  const res = await fetch(url, {
    headers: { Accept: 'application/activity+json' },
    signal: AbortSignal.timeout(10_000),
  });
  const body = await res.text();
  assert.equal(res.status, 200, `GET ${url} (Accept: application/activity+json) answered ${res.status}: ${body.slice(0, 500)}`);
  let actor;
  try {
    actor = JSON.parse(body);
  } catch {
    assert.fail(`GET ${url} (Accept: application/activity+json) is not JSON (content-type ${res.headers.get('content-type')}): ${body.slice(0, 500)}`);
  }
  assert.equal(actor.type, 'Person', `actor type: ${JSON.stringify(actor).slice(0, 500)}`);
  assert.equal(actor.preferredUsername, USERNAME);
  assert.ok(
    typeof actor.publicKey?.publicKeyPem === 'string' &&
      actor.publicKey.publicKeyPem.startsWith('-----BEGIN PUBLIC KEY-----'),
    `publicKey.publicKeyPem should be a PEM public key: ${JSON.stringify(actor.publicKey)}`,
  );
});

step('the header switches the language to English', async () => {
  const page = state.page;
  await goto(page, state.server, '/login');
  const lang = await page.locator('html').getAttribute('lang');
  assert.match(lang ?? '', /^fr\b/i, `<html lang> should be "fr" before switching, got ${JSON.stringify(lang)}`);
  const link = page.locator('a[href^="/lang/en"]').first();
  assert.ok((await link.count()) > 0, `no link with href starting with /lang/en on ${page.url()}`);
  // Logged in, the link is in the menu under the teacher's name.
  const account = page.locator('header .account-menu > summary');
  if ((await account.count()) > 0 && (await account.isVisible())) await account.click();
  await link.click();
  const after = await waitForHtmlLang(page, /^en\b/i, 10_000);
  assert.match(after ?? '', /^en\b/i, `after following /lang/en, <html lang> should be "en", got ${JSON.stringify(after)} at ${page.url()}`);
  await checkAccessibility(page, 'English page', state.axeFindings);
  // The choice sticks for the next page.
  await goto(page, state.server, '/signup');
  assert.match((await page.locator('html').getAttribute('lang')) ?? '', /^en\b/i, 'the language choice should persist');
});

step('every mail went to the verified academic address only', async () => {
  const recipients = state.mail.mails.flatMap((m) => m.to);
  assert.ok(
    recipients.every((r) => r === ACADEMIC_EMAIL),
    `unexpected e-mail recipients: ${JSON.stringify(recipients)}`,
  );
});
