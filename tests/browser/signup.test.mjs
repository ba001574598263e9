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
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import dns from 'node:dns';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

import { chromium } from 'playwright-core';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';

// "localhost" must reach the server, which listens on 127.0.0.1 only.
dns.setDefaultResultOrder('ipv4first');

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const ARTIFACTS = path.join(HERE, 'artifacts');
const require = createRequire(import.meta.url);
const AXE_SOURCE_PATH = require.resolve('axe-core/axe.min.js');

const PREAU_BIN = path.resolve(
  ROOT,
  process.env.PREAU_BIN ?? path.join(process.env.CARGO_TARGET_DIR ?? 'target', 'debug', 'preau'),
);
const DATABASE_KIND = process.env.PREAU_BROWSER_DATABASE ?? 'sqlite';
const CHROMIUM = process.env.PREAU_CHROMIUM ?? '/usr/bin/chromium';
const CONFIG = 'instance-config/institutional.toml';

const SERVER_START_TIMEOUT_MS = 30_000;
const MAIL_TIMEOUT_MS = 15_000;
const STEP_TIMEOUT_MS = 60_000;
const BROWSER_ACTION_TIMEOUT_MS = 10_000;

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
  smtp: null,
  smtpPort: 0,
  mails: [], // { to: string[], parsed }
  mailErrors: [],
  child: null,
  childExit: null, // { code, signal } once exited
  serverLog: [],
  port: 0,
  base: '',
  dataDir: null,
  database: null, // { url, pgAdminUrl?, pgName? }
  browser: null,
  context: null,
  page: null,
  failed: false,
  axeFindings: [],
  dialogs: [],
};

function serverLogTail(lines = 200) {
  const all = state.serverLog.join('').split('\n');
  return all.slice(-lines).join('\n');
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------
async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function startSmtp() {
  const smtp = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true, // no DNS traffic
    logger: false,
    banner: 'preau browser test',
    onData(stream, session, callback) {
      const to = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
      simpleParser(stream)
        .then((parsed) => {
          state.mails.push({ to, parsed });
          callback();
        })
        .catch((err) => {
          state.mailErrors.push(err);
          callback(err);
        });
    },
  });
  await new Promise((resolve, reject) => {
    smtp.once('error', reject);
    smtp.listen(0, '127.0.0.1', () => {
      smtp.off('error', reject);
      resolve();
    });
  });
  smtp.on('error', (err) => state.mailErrors.push(err));
  state.smtp = smtp;
  state.smtpPort = smtp.server.address().port;
}

function databaseFor(dataDir) {
  if (DATABASE_KIND === 'sqlite') {
    return { url: `sqlite://${path.join(dataDir, 'preau.db')}` };
  }
  if (DATABASE_KIND === 'postgres') {
    const admin = process.env.PREAU_TEST_POSTGRES_URL;
    assert.ok(admin, 'PREAU_BROWSER_DATABASE=postgres needs PREAU_TEST_POSTGRES_URL');
    const url = new URL(admin);
    const name = `preau_browser_${randomBytes(6).toString('hex')}`;
    url.pathname = `/${name}`;
    return { url: url.toString(), pgAdminUrl: admin, pgName: name };
  }
  throw new Error(`PREAU_BROWSER_DATABASE must be sqlite or postgres, not ${DATABASE_KIND}`);
}

async function startServer() {
  assert.ok(existsSync(PREAU_BIN), `server binary not found: ${PREAU_BIN} (cargo build, or set PREAU_BIN)`);
  state.port = await freePort();
  state.base = `http://localhost:${state.port}`;
  state.dataDir = await mkdtemp(path.join(os.tmpdir(), 'preau-browser-'));
  state.database = databaseFor(state.dataDir);
  console.log(`preau ${PREAU_BIN} on ${state.base}, database ${DATABASE_KIND}: ${state.database.url}, SMTP 127.0.0.1:${state.smtpPort}`);

  const env = {
    ...process.env,
    PREAU_SERVER_LISTEN: `127.0.0.1:${state.port}`,
    PREAU_INSTANCE_DOMAIN: `localhost:${state.port}`,
    PREAU_SERVER_DATA_DIR: state.dataDir,
    PREAU_DATABASE_URL: state.database.url,
    PREAU_MAIL_SMTP_URL: `smtp://127.0.0.1:${state.smtpPort}`,
    PREAU_FEDERATION_ALLOW_LOOPBACK: 'true',
    RUST_LOG: process.env.RUST_LOG ?? 'info',
    NO_COLOR: '1',
  };
  const child = spawn(PREAU_BIN, ['serve', '--config', CONFIG], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  state.child = child;
  child.stdout.on('data', (d) => state.serverLog.push(d.toString()));
  child.stderr.on('data', (d) => state.serverLog.push(d.toString()));
  child.on('exit', (code, signal) => {
    state.childExit = { code, signal };
  });
  child.on('error', (err) => {
    state.childExit = { code: null, signal: null, error: err };
  });

  const deadline = Date.now() + SERVER_START_TIMEOUT_MS;
  let lastError = null;
  while (Date.now() < deadline) {
    if (state.childExit) {
      throw new Error(
        `preau exited during start-up (${JSON.stringify(state.childExit)}); its output:\n${serverLogTail()}`,
      );
    }
    try {
      const res = await fetch(`${state.base}/.well-known/nodeinfo`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return;
      lastError = `status ${res.status}`;
    } catch (err) {
      lastError = err.cause?.code ?? err.message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `preau did not answer 200 on ${state.base}/.well-known/nodeinfo within ${SERVER_START_TIMEOUT_MS} ms ` +
      `(last: ${lastError}); its output:\n${serverLogTail()}`,
  );
}

async function stopServer() {
  const child = state.child;
  if (!child || state.childExit) return;
  child.kill('SIGTERM');
  const exited = new Promise((r) => child.once('exit', r));
  const timedOut = await Promise.race([
    exited.then(() => false),
    new Promise((r) => setTimeout(() => r(true), 5_000)),
  ]);
  if (timedOut && !state.childExit) {
    child.kill('SIGKILL');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 2_000))]);
  }
}

function dropPostgresDatabase() {
  const { pgAdminUrl, pgName } = state.database ?? {};
  if (!pgAdminUrl || !pgName) return Promise.resolve();
  // Best effort: the database is throwaway; psql may be missing.
  return new Promise((resolve) => {
    execFile(
      'psql',
      [pgAdminUrl, '-v', 'ON_ERROR_STOP=1', '-q', '-c', `DROP DATABASE IF EXISTS "${pgName}" WITH (FORCE)`],
      { timeout: 10_000 },
      (err, _stdout, stderr) => {
        if (err) console.error(`note: could not drop test database ${pgName}: ${stderr || err.message}`);
        resolve();
      },
    );
  });
}

async function waitForMail(address, timeoutMs = MAIL_TIMEOUT_MS) {
  const want = address.toLowerCase();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const mail = state.mails.find((m) => m.to.includes(want));
    if (mail) return mail;
    if (state.childExit) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `no e-mail to ${address} reached the SMTP server on 127.0.0.1:${state.smtpPort} within ${timeoutMs} ms ` +
      `(received: ${JSON.stringify(state.mails.map((m) => m.to))}, SMTP errors: ${state.mailErrors.map(String)}); ` +
      `server output:\n${serverLogTail(60)}`,
  );
}

let axeSource = null;
async function checkAccessibility(page, label) {
  axeSource ??= await readFile(AXE_SOURCE_PATH, 'utf8');
  await page.addScriptTag({ content: axeSource });
  const results = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { resultTypes: ['violations'] }),
  );
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const report = bad
    .map(
      (v) =>
        `  [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n` +
        v.nodes
          .map((n) => `      target ${JSON.stringify(n.target)}: ${n.html}\n        ${n.failureSummary?.replace(/\n/g, '\n        ')}`)
          .join('\n'),
    )
    .join('\n');
  const minor = results.violations.filter((v) => !bad.includes(v));
  if (minor.length) {
    console.log(`axe (${label}, ${page.url()}): minor/moderate, not failing: ${minor.map((v) => `${v.id}[${v.impact}]`).join(', ')}`);
  }
  state.axeFindings.push({ label, url: page.url(), serious: bad.length });
  assert.equal(
    bad.length,
    0,
    `accessibility violations (serious/critical) on the ${label} page ${page.url()}:\n${report}`,
  );
}

/** Submits `form` and resolves with the final (non-redirect) navigation response. */
async function submitForm(page, form) {
  const responsePromise = page.waitForResponse(
    (r) =>
      r.request().isNavigationRequest() &&
      r.request().frame() === page.mainFrame() &&
      !(r.status() >= 300 && r.status() < 400),
    { timeout: 15_000 },
  );
  const submit = form.locator('button[type=submit], input[type=submit]').first();
  assert.equal(await submit.count(), 1, `no submit button in the form on ${page.url()}`);
  await submit.click();
  const response = await responsePromise;
  await page.waitForLoadState('load');
  return response;
}

async function goto(page, pathname) {
  const response = await page.goto(`${state.base}${pathname}`, { waitUntil: 'load' });
  assert.ok(response, `no response for ${pathname}`);
  return response;
}

/** The form that holds a field named `fieldName` (the header holds a log-out form too). */
function formWith(page, fieldName) {
  return page.locator(`form:has([name="${fieldName}"])`).first();
}

async function expectField(form, selector, what) {
  const n = await form.locator(selector).count();
  assert.ok(n > 0, `${what}: no field matching ${selector} in the form on ${form.page().url()}`);
  return form.locator(selector).first();
}

async function bodyText(page) {
  return (await page.locator('body').innerText()).replace(/\s+/g, ' ');
}

async function alertTexts(page) {
  const alerts = page.locator('[role=alert]');
  const texts = [];
  for (let i = 0; i < (await alerts.count()); i++) {
    const t = (await alerts.nth(i).innerText()).trim();
    if (t) texts.push(t);
  }
  return texts;
}

async function fillSignup(page, email) {
  const form = formWith(page, 'username');
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

async function saveFailureScreenshot(name) {
  if (!state.page) return;
  try {
    await mkdir(ARTIFACTS, { recursive: true });
    const file = path.join(ARTIFACTS, `failure-${name.replace(/[^a-z0-9]+/gi, '-')}.png`);
    await state.page.screenshot({ path: file, fullPage: true });
    console.error(`failure screenshot: ${file} (page ${state.page.url()})`);
  } catch {
    /* the page may be gone */
  }
}

/** A sequential step: skipped once an earlier step failed. */
function step(name, fn) {
  test(name, { timeout: STEP_TIMEOUT_MS }, async (t) => {
    if (state.failed) {
      t.skip('an earlier step failed');
      return;
    }
    try {
      await fn(t);
    } catch (err) {
      state.failed = true;
      await saveFailureScreenshot(name);
      throw err;
    }
  });
}

// ---------------------------------------------------------------------------
// Set-up and tear-down
// ---------------------------------------------------------------------------
before(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  try {
    await startSmtp();
    await startServer();
    state.browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-domain-reliability',
        '--disable-client-side-phishing-detection',
        '--dns-prefetch-disable',
      ],
    });
    state.context = await state.browser.newContext({ locale: 'fr-FR', bypassCSP: true });
    state.context.setDefaultTimeout(BROWSER_ACTION_TIMEOUT_MS);
    state.context.setDefaultNavigationTimeout(15_000);
    // Only loopback: refuse anything else the pages might ask for.
    await state.context.route(
      (url) => !['localhost', '127.0.0.1', '[::1]'].includes(url.hostname),
      (route) => route.abort('blockedbyclient'),
    );
    state.page = await state.context.newPage();
    state.page.on('dialog', async (dialog) => {
      state.dialogs.push(dialog.message());
      await dialog.dismiss();
    });
  } catch (err) {
    state.failed = true;
    throw err;
  }
});

after(async () => {
  try {
    await state.browser?.close();
  } catch {
    /* ignore */
  }
  await stopServer();
  await new Promise((r) => (state.smtp ? state.smtp.close(r) : r()));
  await dropPostgresDatabase();
  try {
    await mkdir(ARTIFACTS, { recursive: true });
    await writeFile(path.join(ARTIFACTS, 'server.log'), state.serverLog.join(''));
  } catch {
    /* ignore */
  }
  if (state.failed) {
    console.error(`\n----- preau output (last lines; full log in ${path.join(ARTIFACTS, 'server.log')}) -----`);
    console.error(serverLogTail(150));
    console.error('----- end of preau output -----');
  }
  if (state.dataDir) await rm(state.dataDir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------
// Scenario
// ---------------------------------------------------------------------------
step('sign-up form is served in French and is accessible', async () => {
  const page = state.page;
  const response = await goto(page, '/signup');
  assert.equal(response.status(), 200, `GET /signup answered ${response.status()}`);
  const lang = await page.locator('html').getAttribute('lang');
  assert.match(lang ?? '', /^fr\b/i, `<html lang> on /signup with locale fr-FR should be "fr", got ${JSON.stringify(lang)}`);
  await fillSignup(page, NON_ACADEMIC_EMAIL); // checks every field exists
  await goto(page, '/signup'); // fresh, untouched form for axe
  await checkAccessibility(page, 'signup');
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
  await checkAccessibility(page, 'signup error');
  // Give an erroneous send a moment to show up, then check nothing went out.
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(
    state.mails.map((m) => m.to),
    [],
    'no e-mail may be sent for a refused sign-up',
  );
});

let verifyLink = null;

step('sign-up with an academic address sends a verification e-mail', async () => {
  const page = state.page;
  await goto(page, '/signup');
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
  await checkAccessibility(page, 'signup done');

  const mail = await waitForMail(ACADEMIC_EMAIL);
  const mailText = `${mail.parsed.text ?? ''}\n${mail.parsed.html || ''}`;
  const escapedBase = state.base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = mailText.match(new RegExp(`${escapedBase}/verify\\?token=[^\\s"'<>]+`));
  assert.ok(
    match,
    `the verification e-mail has no ${state.base}/verify?token=... link; subject ${JSON.stringify(mail.parsed.subject)}, text:\n${mailText}`,
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
  await checkAccessibility(page, 'verify');
});

step('log in lands on the profile page', async () => {
  const page = state.page;
  const response = await goto(page, '/login');
  assert.equal(response.status(), 200, `GET /login answered ${response.status()}`);
  await checkAccessibility(page, 'login');
  const form = formWith(page, 'login');
  assert.equal(await form.count(), 1, `no log-in form (field "login") on ${page.url()}`);
  await (await expectField(form, 'input[name=login]', 'log-in')).fill(USERNAME);
  await (await expectField(form, 'input[name=password]', 'log-in')).fill(PASSWORD);
  const after = await submitForm(page, form);
  assert.ok(after.status() < 400, `log-in answered ${after.status()} at ${page.url()}:\n${await bodyText(page)}`);
  assert.equal(
    new URL(page.url()).pathname,
    `/users/${USERNAME}`,
    `after log-in the browser should be on /users/${USERNAME}, is on ${page.url()}:\n${await bodyText(page)}`,
  );
  await checkAccessibility(page, 'profile (after log-in)');
});

step('edit the profile in /settings/profile', async () => {
  const page = state.page;
  const response = await goto(page, '/settings/profile');
  assert.equal(response.status(), 200, `GET /settings/profile answered ${response.status()} at ${page.url()}`);
  await checkAccessibility(page, 'settings');
  const form = formWith(page, 'bio');
  assert.equal(await form.count(), 1, `no profile form (field "bio") on ${page.url()}`);
  await (await expectField(form, 'input[name=display_name]', 'profile')).fill(NEW_DISPLAY_NAME);
  await (await expectField(form, '[name=bio]', 'profile')).fill(BIO);
  await (await expectField(form, 'input[name=subjects]', 'profile')).fill(SUBJECTS);
  for (const level of ['maternelle', 'primaire', 'college', 'lycee', 'lycee_pro', 'superieur', 'autre']) {
    await expectField(form, `input[type=checkbox][name=levels][value=${level}]`, `profile level ${level}`);
  }
  await form.locator('input[type=checkbox][name=levels][value=lycee]').check();
  await (await expectField(form, 'input[name=languages]', 'profile')).fill('fr, en');
  await (await expectField(form, '[name=academy]', 'profile')).fill('Rennes');
  await (await expectField(form, 'input[name=school]', 'profile')).fill('Lycée Chateaubriand');
  await (await expectField(form, 'input[name=interests]', 'profile')).fill('eTwinning, robotique');
  const saved = await submitForm(page, form);
  const alerts = await alertTexts(page);
  assert.ok(saved.status() < 400, `saving the profile answered ${saved.status()} at ${page.url()}: ${alerts.join(' | ')}\n${await bodyText(page)}`);
  assert.equal(alerts.length, 0, `saving the profile shows an alert: ${alerts.join(' | ')}`);
  await checkAccessibility(page, 'settings (after saving)');
});

step('the public profile shows the new data, rendered Markdown and no script', async () => {
  const page = state.page;
  const response = await goto(page, `/users/${USERNAME}`);
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
  await checkAccessibility(page, 'profile');

  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, 'profile.png'), fullPage: true });
});

step('the profile as ActivityPub is a Person with a public key', async () => {
  const url = `${state.base}/users/${USERNAME}`;
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
  await goto(page, '/login');
  const lang = await page.locator('html').getAttribute('lang');
  assert.match(lang ?? '', /^fr\b/i, `<html lang> should be "fr" before switching, got ${JSON.stringify(lang)}`);
  const link = page.locator('a[href^="/lang/en"]').first();
  assert.ok((await link.count()) > 0, `no link with href starting with /lang/en on ${page.url()}`);
  await link.click();
  const after = await waitForHtmlLang(page, /^en\b/i, 10_000);
  assert.match(after ?? '', /^en\b/i, `after following /lang/en, <html lang> should be "en", got ${JSON.stringify(after)} at ${page.url()}`);
  await checkAccessibility(page, 'English page');
  // The choice sticks for the next page.
  await goto(page, '/signup');
  assert.match((await page.locator('html').getAttribute('lang')) ?? '', /^en\b/i, 'the language choice should persist');
});

step('every mail went to the verified academic address only', async () => {
  const recipients = state.mails.flatMap((m) => m.to);
  assert.ok(
    recipients.every((r) => r === ACADEMIC_EMAIL),
    `unexpected e-mail recipients: ${JSON.stringify(recipients)}`,
  );
});
