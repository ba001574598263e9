// Helpers shared by the browser tests: ports, databases, child servers,
// page navigation and form helpers, the axe-core accessibility check, and
// sequential steps that leave screenshots when they fail.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';

const require = createRequire(import.meta.url);
const AXE_SOURCE_PATH = require.resolve('axe-core/axe.min.js');
const DATABASE_KIND = process.env.PREAU_BROWSER_DATABASE ?? 'sqlite';
let axeSource = null;

/** The repository root: servers and the CLI run from there (configs are relative to it). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The `preau` binary run.sh names (or target/debug/preau). */
export const PREAU_BIN = path.resolve(
  ROOT,
  process.env.PREAU_BIN ?? path.join(process.env.CARGO_TARGET_DIR ?? 'target', 'debug', 'preau'),
);
export const CHROMIUM = process.env.PREAU_CHROMIUM ?? '/usr/bin/chromium';
export { DATABASE_KIND };

/**
 * A listening socket on a free loopback port, bound now and handed to `preau serve
 * --listen-stdin` as its standard input, so no other process can take the port between
 * choosing it and the server's start. Node cannot pass a `net.Server` as a child's stdio,
 * but it can pass a file descriptor: the server handle's `fd` (Unix). The parent closes its
 * copy once the child has one; nothing connects before the child is started, so the
 * parent never accepts a connection meant for the server.
 */
export async function listeningSocket() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => resolve(srv));
  });
}

export function databaseFor(dataDir) {
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

export async function stopServer(inst) {
  const child = inst.child;
  if (!child || inst.childExit) return;
  child.kill('SIGTERM');
  const exited = new Promise((r) => child.once('exit', r));
  const timedOut = await Promise.race([
    exited.then(() => false),
    new Promise((r) => setTimeout(() => r(true), 5_000)),
  ]);
  if (timedOut && !inst.childExit) {
    child.kill('SIGKILL');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 2_000))]);
  }
}

export function dropPostgresDatabase(inst) {
  const { pgAdminUrl, pgName } = inst.database ?? {};
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

/**
 * Runs axe-core on the page: serious or critical violations fail the test, the
 * others are printed. Each check is recorded in `findings`.
 */
export async function checkAccessibility(page, label, findings) {
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
  findings.push({ label, url: page.url(), serious: bad.length });
  assert.equal(
    bad.length,
    0,
    `accessibility violations (serious/critical) on the ${label} page ${page.url()}:\n${report}`,
  );
}

/** Clicks `submit` and resolves with the final (non-redirect) navigation response. */
export async function clickAndWaitForPage(page, submit) {
  const responsePromise = page.waitForResponse(
    (r) =>
      r.request().isNavigationRequest() &&
      r.request().frame() === page.mainFrame() &&
      !(r.status() >= 300 && r.status() < 400),
    { timeout: 15_000 },
  );
  await submit.click();
  const response = await responsePromise;
  await page.waitForLoadState('load');
  return response;
}

/**
 * Leaves a mark on the page's `window` that a navigation or a reload would
 * wipe (one per document: an existing one is kept); `stillSamePage` checks
 * it is there.
 */
export async function markPage(page) {
  const mark = `mark-${Math.random().toString(36).slice(2)}`;
  return page.evaluate((value) => {
    window.preauPageMark = window.preauPageMark ?? value;
    return window.preauPageMark;
  }, mark);
}

/** Asserts the page is the one `markPage` marked (never left nor reloaded). */
export async function stillSamePage(page, mark, what) {
  assert.equal(await page.evaluate(() => window.preauPageMark), mark, `${what}: the page was left or reloaded`);
}

/**
 * Sends `text` with a conversation page's message form, as its script does:
 * the page is not left, the line (holding `shown`, the text as rendered) shows
 * from the answer among one's own, and the field is emptied with the cursor
 * still in it.
 */
export async function sendMessage(page, text, shown = text) {
  const mark = await markPage(page);
  await page.locator('#message-body').fill(text);
  await page.getByRole('button', { name: 'Envoyer', exact: true }).click();
  await page
    .locator('#conversation-lines .conversation-message.mine', { hasText: shown })
    .waitFor({ timeout: 15_000 });
  await page.waitForFunction(
    () => document.getElementById('message-body')?.value === ''
      && document.activeElement?.id === 'message-body',
    null,
    { timeout: 15_000 },
  );
  await stillSamePage(page, mark, `sending "${text}"`);
}

/** Submits `form` with its first submit button. */
export async function submitForm(page, form) {
  const submit = form.locator('button[type=submit], input[type=submit]').first();
  assert.equal(await submit.count(), 1, `no submit button in the form on ${page.url()}`);
  return clickAndWaitForPage(page, submit);
}

export async function goto(page, inst, pathname) {
  const response = await page.goto(`${inst.base}${pathname}`, { waitUntil: 'load' });
  assert.ok(response, `no response for ${inst.base}${pathname}`);
  return response;
}

/** The form that holds a field named `fieldName` (the header holds a log-out form too). */
export function formWith(page, fieldName) {
  return page.locator(`form:has([name="${fieldName}"])`);
}

export async function expectField(form, selector, what) {
  const n = await form.locator(selector).count();
  assert.ok(n > 0, `${what}: no field matching ${selector} in the form on ${form.page().url()}`);
  return form.locator(selector).first();
}

export async function alertTexts(page) {
  const alerts = page.locator('[role=alert]');
  const texts = [];
  for (let i = 0; i < (await alerts.count()); i++) {
    const t = (await alerts.nth(i).innerText()).trim();
    if (t) texts.push(t);
  }
  return texts;
}

export async function expectNoAlert(page, what) {
  const alerts = await alertTexts(page);
  assert.equal(alerts.length, 0, `${what} shows an alert at ${page.url()}: ${alerts.join(' | ')}`);
}

// ---------------------------------------------------------------------------
// Child servers, the CLI, the browser and page reading (used by every test file).
// ---------------------------------------------------------------------------

const SERVER_START_TIMEOUT_MS = 30_000;
const CLI_TIMEOUT_MS = 30_000;

/** A `preau serve` child to be: `prepareInstance`, then `startServer`. */
export function newInstance(label, what = '') {
  return {
    label,
    what,
    config: '',
    port: 0,
    base: '',
    domain: '',
    dataDir: null,
    database: null, // { url, pgAdminUrl?, pgName? }
    env: null,
    child: null,
    childExit: null,
    log: [],
  };
}

export function logTail(inst, lines = 200) {
  return inst.log.join('').split('\n').slice(-lines).join('\n');
}

/**
 * Chooses the port, data directory and database, so the origin is known before start-up.
 * `fastDelivery` (default true) makes the delivery queue poll every 100 ms and retry
 * after 200 ms, for tests that wait for federation; false leaves the defaults.
 */
export async function prepareInstance(inst, { config, prefix = 'preau-browser', extraEnv = {}, fastDelivery = true }) {
  inst.config = config;
  inst.listener = await listeningSocket();
  inst.port = inst.listener.address().port;
  inst.domain = `localhost:${inst.port}`;
  inst.base = `http://${inst.domain}`;
  inst.dataDir = await mkdtemp(path.join(os.tmpdir(), `${prefix}-${inst.label.toLowerCase()}-`));
  inst.database = databaseFor(inst.dataDir);
  inst.env = {
    ...process.env,
    PREAU_SERVER_LISTEN: `127.0.0.1:${inst.port}`,
    PREAU_INSTANCE_DOMAIN: inst.domain,
    PREAU_SERVER_DATA_DIR: inst.dataDir,
    PREAU_DATABASE_URL: inst.database.url,
    PREAU_FEDERATION_ALLOW_LOOPBACK: 'true',
    ...(fastDelivery ? { PREAU_DELIVERY_POLL_MS: '100', PREAU_DELIVERY_RETRY_BASE_MS: '200' } : {}),
    RUST_LOG: process.env.RUST_LOG ?? 'info',
    NO_COLOR: '1',
    ...extraEnv,
  };
}

/** Spawns `preau serve` for a prepared instance and waits until its NodeInfo answers 200. */
export async function startServer(inst) {
  assert.ok(existsSync(PREAU_BIN), `server binary not found: ${PREAU_BIN} (cargo build, or set PREAU_BIN)`);
  console.log(
    `instance ${inst.label}${inst.what ? ` (${inst.what})` : ''}: preau ${PREAU_BIN} on ${inst.base}, ` +
      `config ${inst.config}, database ${DATABASE_KIND}: ${inst.database.url}`,
  );
  assert.ok(inst.listener, `instance ${inst.label}: prepareInstance binds its socket, once per start`);
  const child = spawn(PREAU_BIN, ['serve', '--config', inst.config, '--listen-stdin'], {
    cwd: ROOT,
    env: inst.env,
    stdio: [inst.listener._handle.fd, 'pipe', 'pipe'],
  });
  inst.listener.close();
  inst.listener = null;
  inst.child = child;
  child.stdout.on('data', (d) => inst.log.push(d.toString()));
  child.stderr.on('data', (d) => inst.log.push(d.toString()));
  child.on('exit', (code, signal) => {
    inst.childExit = { code, signal };
  });
  child.on('error', (err) => {
    inst.childExit = { code: null, signal: null, error: err };
  });

  const deadline = Date.now() + SERVER_START_TIMEOUT_MS;
  let lastError = null;
  while (Date.now() < deadline) {
    if (inst.childExit) {
      throw new Error(
        `preau (instance ${inst.label}) exited during start-up (${JSON.stringify(inst.childExit)}); its output:\n${logTail(inst)}`,
      );
    }
    try {
      const res = await fetch(`${inst.base}/.well-known/nodeinfo`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return;
      lastError = `status ${res.status}`;
    } catch (err) {
      lastError = err.cause?.code ?? err.message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `preau (instance ${inst.label}) did not answer 200 on ${inst.base}/.well-known/nodeinfo within ` +
      `${SERVER_START_TIMEOUT_MS} ms (last: ${lastError}); its output:\n${logTail(inst)}`,
  );
}

/** Throws when one of `instances` has exited. */
export function checkChildren(instances) {
  for (const inst of instances) {
    if (inst.childExit) {
      throw new Error(`instance ${inst.label} exited (${JSON.stringify(inst.childExit)}):\n${logTail(inst)}`);
    }
  }
}

/** Runs `preau ARGS…` (no server), resolves with its stdout. */
export function runPreau(args, { env = process.env, stdin = null, what = '' } = {}) {
  return new Promise((resolve, reject) => {
    const child = execFile(PREAU_BIN, args, { cwd: ROOT, env, timeout: CLI_TIMEOUT_MS }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`preau ${args.join(' ')}${what} failed: ${err.message}\nstdout: ${stdout}\nstderr: ${stderr}`));
      } else {
        resolve(stdout);
      }
    });
    // A command that does not read its stdin (`trust keygen`) may exit before the write
    // lands: that EPIPE is harmless, the exit status above is what counts.
    child.stdin.on('error', (err) => {
      if (err.code !== 'EPIPE') reject(err);
    });
    child.stdin.end(stdin ?? '');
  });
}

/** `preau admin create-user NAME --email EMAIL [--admin]`, password on stdin, same env as the server. */
export async function createUser(inst, user, { admin = false } = {}) {
  const args = ['admin', 'create-user', user.name, '--email', user.email];
  if (admin) args.push('--admin');
  const stdout = await runPreau([...args, '--config', inst.config], {
    env: inst.env,
    stdin: `${user.password}\n`,
    what: ` (instance ${inst.label})`,
  });
  console.log(`instance ${inst.label}: ${stdout.trim()}`);
}

/** `preau admin deliveries`: the instance's outbox by state ({ pending, done, failed, refused }). */
export async function deliveryCounts(inst) {
  const stdout = await runPreau(['admin', 'deliveries', '--config', inst.config], {
    env: inst.env,
    what: ` (instance ${inst.label})`,
  });
  return JSON.parse(stdout.trim());
}

/**
 * Waits (at most `timeoutMs`) until `inst` has no pending delivery: every activity it
 * queued so far has been answered by its peer. Resolves with the last counts, and
 * `drained` false when the bound was reached.
 */
export async function waitForOutboxDrained(inst, { timeoutMs, instances = [inst] }) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    checkChildren(instances);
    const counts = await deliveryCounts(inst);
    if (counts.pending === 0) return { drained: true, counts };
    if (Date.now() >= deadline) return { drained: false, counts };
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Debian's Chromium, headless, with the background traffic it would make switched off. */
export function launchChromium(chromium) {
  return chromium.launch({
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
}

/**
 * A French browser context and its page: requests to anything but loopback are
 * refused, and dialogs are dismissed and recorded in `dialogs`. Use one context per
 * logged-in person: session cookies are bound to "localhost" whatever the port.
 * `options` are added to the context's (`{ javaScriptEnabled: false }` for a
 * browser without scripts).
 */
export async function newBrowserContext(browser, dialogs, options = {}) {
  const context = await browser.newContext({ locale: 'fr-FR', bypassCSP: true, acceptDownloads: true, ...options });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(15_000);
  await context.route(
    (url) => !['localhost', '127.0.0.1', '[::1]'].includes(url.hostname),
    (route) => route.abort('blockedbyclient'),
  );
  const page = await context.newPage();
  page.on('dialog', async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  return { context, page };
}

/**
 * Text with each run of white space made one plain space. `\s` also matches the
 * no-break spaces of French typography (U+00A0 before `:`, U+202F before `;` `?`
 * `!` `»` and after `«`), so tests compare French text written with plain spaces.
 */
export const squash = (s) => s.replace(/\s+/g, ' ').trim();

export async function bodyText(page) {
  return squash(await page.locator('body').innerText());
}

/**
 * Loads `inst.base + pathname` every `intervalMs` until `predicate(page)` is true or
 * `timeoutMs` passes; returns true when it matched. Throws as soon as one of
 * `instances` has exited.
 */
export async function reloadUntil(page, inst, pathname, predicate, { timeoutMs = 20_000, intervalMs = 500, instances = [inst] } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await goto(page, inst, pathname);
    assert.ok(response.status() < 500, `GET ${inst.base}${pathname} answered ${response.status()}:\n${await bodyText(page)}`);
    if (await predicate(page)) return true;
    checkChildren(instances);
    if (Date.now() + intervalMs > deadline) return false;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Logs `user` in through the /login form and checks it worked. */
export async function logIn(page, inst, user) {
  const response = await goto(page, inst, '/login');
  assert.equal(response.status(), 200, `GET ${inst.base}/login answered ${response.status()}`);
  const form = formWith(page, 'login').first();
  assert.equal(await form.count(), 1, `no log-in form (field "login") on ${page.url()}`);
  await (await expectField(form, 'input[name=login]', 'log-in')).fill(user.name);
  await (await expectField(form, 'input[name=password]', 'log-in')).fill(user.password);
  const after = await submitForm(page, form);
  assert.ok(after.status() < 400, `log-in of ${user.name} on ${inst.label} answered ${after.status()} at ${page.url()}:\n${await bodyText(page)}`);
  await expectNoAlert(page, `log-in of ${user.name} on ${inst.label}`);
  assert.notEqual(new URL(page.url()).pathname, '/login', `log-in of ${user.name} on ${inst.label} stayed on /login:\n${await bodyText(page)}`);
}

/** Where failure screenshots go. */
export const ARTIFACTS = path.join(ROOT, 'tests', 'browser', 'artifacts');

/**
 * Full-page screenshots of `pages` (`[label, page]` pairs; missing pages are
 * skipped) into ARTIFACTS, named after the test file (`prefix`) and the step.
 */
export async function saveFailureScreenshots(prefix, name, pages) {
  await mkdir(ARTIFACTS, { recursive: true }).catch(() => {});
  for (const [label, page] of pages) {
    if (!page) continue;
    try {
      const who = label ? `-${label}` : '';
      const file = path.join(ARTIFACTS, `failure-${prefix}${who}-${name.replace(/[^a-z0-9]+/gi, '-')}.png`);
      await page.screenshot({ path: file, fullPage: true });
      console.error(`failure screenshot${label ? ` (${label})` : ''}: ${file} (page ${page.url()})`);
    } catch {
      /* the page may be gone */
    }
  }
}

/**
 * `step(name, fn)` for sequential steps sharing `state`: each runs with a
 * bound (`timeoutMs`), is skipped once an earlier step failed
 * (`state.failed`), and a failing step leaves screenshots of `pages()`.
 */
export function stepper(state, { prefix, timeoutMs, pages }) {
  return function step(name, fn) {
    test(name, { timeout: timeoutMs }, async (t) => {
      if (state.failed) {
        t.skip('an earlier step failed');
        return;
      }
      try {
        await fn(t);
      } catch (err) {
        state.failed = true;
        await saveFailureScreenshots(prefix, name, pages());
        throw err;
      }
    });
  };
}

// ---------------------------------------------------------------------------
// Set-up and tear-down shared by the test files.
// ---------------------------------------------------------------------------

/** `prepareInstance`, then `startServer`. */
export async function startInstance(inst, options) {
  await prepareInstance(inst, options);
  await startServer(inst);
}

/** The last `lines` of each instance's output, one block per instance. */
export function allLogTails(instances, lines = 60) {
  return instances
    .map((inst) => `----- instance ${inst.label}${inst.what ? `, ${inst.what}` : ''} (${inst.base}) -----\n${logTail(inst, lines)}`)
    .join('\n');
}

/** `count` French browser contexts of `browser`, one per person; resolves with their pages. */
export async function newPages(browser, count, dialogs) {
  const pages = [];
  for (let i = 0; i < count; i++) pages.push((await newBrowserContext(browser, dialogs)).page);
  return pages;
}

/**
 * Registers the file's `before`: runs `fn` and, when it throws, marks `state.failed`
 * so that every step is skipped.
 */
export function setUp(state, fn) {
  before(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    try {
      await fn();
    } catch (err) {
      state.failed = true;
      throw err;
    }
  });
}

/**
 * The set-up of a file that drives one instance: `severalInstances` with instance `a`
 * (label "A") started from `config`, and every person on it.
 */
export function oneInstance(chromium, { prefix, config, people, extra = {} }) {
  return severalInstances(chromium, {
    prefix,
    instances: [{ key: 'a', label: 'A', config }],
    people,
    extra,
  });
}

/**
 * The set-up of a file that drives one instance or more: its `state` (each instance
 * as `state[key]`, the browser, a page per person, the failure flag and findings,
 * then `extra`'s fields), its `step` (`timeoutMs` each, screenshots of every person's
 * page on failure), and its `before` and `after`: the instances started in order, each
 * from its `config`, each person's account made with the CLI on their instance,
 * Chromium launched, a page opened for each person in order (as `state[key]`); all
 * stopped and cleaned up at the end.
 * `instances`: `{ key, label, what, config }`; `label` and `what` name it in logs.
 * `people`: `{ key, label, user, admin, on }`; `label` names the failure screenshots,
 * `on` is the key of their instance (`a` by default).
 */
export function severalInstances(chromium, { prefix, instances, people, extra = {}, timeoutMs = 60_000 }) {
  const state = {
    ...Object.fromEntries(instances.map(({ key, label, what }) => [key, newInstance(label, what)])),
    browser: null,
    failed: false,
    axeFindings: [],
    dialogs: [],
    ...Object.fromEntries(people.map(({ key }) => [key, null])),
    ...extra,
  };
  const step = stepper(state, {
    prefix,
    timeoutMs,
    pages: () => people.map(({ key, label }) => [label, state[key]]),
  });
  setUp(state, async () => {
    for (const { key, config } of instances) {
      await startInstance(state[key], { config, prefix: `preau-browser-${prefix}` });
    }
    for (const { user, admin = false, on = 'a' } of people) await createUser(state[on], user, { admin });
    state.browser = await launchChromium(chromium);
    const pages = await newPages(state.browser, people.length, state.dialogs);
    people.forEach(({ key }, i) => {
      state[key] = pages[i];
    });
  });
  tearDown(state, { prefix, instances: () => instances.map(({ key }) => state[key]) });
  return { state, step };
}

/** Waits until the page's live stream is connected. */
export async function streamOpen(page) {
  await page.waitForFunction(() => document.body.dataset.liveState === 'open', null, { timeout: 15_000 });
}

/**
 * Screenshots of `pathname` at both widths (`atBothWidths`, named `shot`), then axe on
 * the page at 1280 and 390 px (`label`), its findings kept in `findings`.
 */
export async function checkedAtBothWidths(page, inst, pathname, { shot, label, findings }) {
  await atBothWidths(page, inst, pathname, shot);
  await checkAccessibility(page, label, findings);
  await page.setViewportSize({ width: 390, height: 900 });
  await checkAccessibility(page, `${label} (390 px)`, findings);
  await page.setViewportSize({ width: 1280, height: 900 });
}

/**
 * Registers the file's `after`: closes `state.browser`, stops the `instances()`, drops
 * their PostgreSQL databases, saves their output as ARTIFACTS/PREFIX-server-LABEL.log,
 * prints its last lines when a step failed (`state.failed`), then runs `cleanUp` and
 * removes the instances' data directories.
 */
export function tearDown(state, { prefix, instances, cleanUp = async () => {} }) {
  after(async () => {
    const all = instances();
    try {
      await state.browser?.close();
    } catch {
      /* ignore */
    }
    await Promise.all(all.map(stopServer));
    await Promise.all(all.map(dropPostgresDatabase));
    const logName = (inst) => (all.length === 1 ? `${prefix}-server.log` : `${prefix}-server-${inst.label.toLowerCase()}.log`);
    try {
      await mkdir(ARTIFACTS, { recursive: true });
      for (const inst of all) await writeFile(path.join(ARTIFACTS, logName(inst)), inst.log.join(''));
    } catch {
      /* ignore */
    }
    if (state.failed) {
      console.error(`\n----- preau output (last lines; full logs in ${ARTIFACTS}/${all.map(logName).join(', ')}) -----`);
      console.error(allLogTails(all, 120));
      console.error('----- end of preau output -----');
    }
    await cleanUp();
    for (const inst of all) {
      if (inst.dataDir) await rm(inst.dataDir, { recursive: true, force: true });
    }
  });
}

// ---------------------------------------------------------------------------
// Mail: a real SMTP server on loopback that keeps what it receives, and a free port.
// ---------------------------------------------------------------------------

/** A port free on 127.0.0.1 now (for a listener a server binds itself). */
export async function freePort() {
  const srv = await listeningSocket();
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

/**
 * Starts an SMTP server on a free loopback port (no TLS, no authentication, no DNS):
 * each message is parsed with mailparser and kept in `mails` as `{ to, parsed }`;
 * `url` is its `mail.smtp_url`, `close()` stops it.
 */
export async function startMailCatcher() {
  const catcher = { server: null, port: 0, mails: [], errors: [] };
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
          catcher.mails.push({ to, parsed });
          callback();
        })
        .catch((err) => {
          catcher.errors.push(err);
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
  smtp.on('error', (err) => catcher.errors.push(err));
  catcher.server = smtp;
  catcher.port = smtp.server.address().port;
  catcher.url = `smtp://127.0.0.1:${catcher.port}`;
  catcher.close = () => new Promise((r) => smtp.close(r));
  return catcher;
}

/**
 * Waits (at most `timeoutMs`) for a mail to `address` that `accept` takes; fails early
 * when one of `instances` has exited.
 */
export async function waitForMail(catcher, address, { timeoutMs, instances, accept = () => true }) {
  const want = address.toLowerCase();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const mail = catcher.mails.find((m) => m.to.includes(want) && accept(m));
    if (mail) return mail;
    if (instances.some((inst) => inst.childExit)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `no e-mail to ${address} reached the SMTP server on 127.0.0.1:${catcher.port} within ${timeoutMs} ms ` +
      `(received: ${JSON.stringify(catcher.mails.map((m) => m.to))}, SMTP errors: ${catcher.errors.map(String)}); ` +
      `server output:\n${allLogTails(instances, 60)}`,
  );
}

/**
 * Sends one message to the SMTP server on 127.0.0.1:`port` as a mail program does
 * (EHLO, MAIL FROM, RCPT TO, DATA with dot-stuffing, QUIT); `message` is the whole
 * message, headers and body, in UTF-8. Resolves with the replies (`[command, code]`
 * pairs); stops at the first refusal.
 */
export function sendMail(port, { from, to, message, timeoutMs = 15_000 }) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`SMTP session with 127.0.0.1:${port} timed out`)));
    let buffer = '';
    let waiting = null;
    const transcript = [];
    // A reply is complete at its line "NNN text" (continuation lines are "NNN-text").
    const deliver = () => {
      if (!waiting) return;
      const lines = buffer.split('\r\n');
      const last = lines.slice(0, -1).findIndex((line) => /^\d{3}( |$)/.test(line));
      if (last < 0) return;
      buffer = lines.slice(last + 1).join('\r\n');
      const done = waiting;
      waiting = null;
      done(Number(lines[last].slice(0, 3)), lines.slice(0, last + 1).join('\n'));
    };
    const reply = () => new Promise((r) => {
      waiting = (code, text) => r({ code, text });
      deliver();
    });
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      buffer += chunk;
      deliver();
    });
    socket.on('error', reject);
    const body = message
      .replace(/\r?\n/g, '\r\n')
      .split('\r\n')
      .map((line) => (line.startsWith('.') ? `.${line}` : line))
      .join('\r\n');
    const dialogue = [
      [null, 220],
      ['EHLO mail-program.localhost', 250],
      [`MAIL FROM:<${from}>`, 250],
      [`RCPT TO:<${to}>`, 250],
      ['DATA', 354],
      [`${body}\r\n.`, 250],
      ['QUIT', 221],
    ];
    socket.once('connect', async () => {
      try {
        for (const [command, expected] of dialogue) {
          if (command !== null) socket.write(Buffer.from(`${command}\r\n`, 'utf8'));
          const { code, text } = await reply();
          transcript.push([command?.split('\r\n')[0] ?? '(greeting)', code, text]);
          if (code !== expected) break;
        }
        socket.end();
        resolve(transcript);
      } catch (err) {
        reject(err);
      }
    });
  });
}

// ---------------------------------------------------------------------------
// Forums: the steps several files take the same way.
// ---------------------------------------------------------------------------

/**
 * Creates the forum `name` from /forums (as an admin) and checks the browser lands on
 * its page. `minPostLevel` picks who may post (the select's value), when given.
 */
export async function createForum(page, inst, { name, title, description = '', minPostLevel = null }) {
  await goto(page, inst, '/forums');
  const form = formWith(page, 'name').filter({ has: page.locator('input[name=name]') });
  assert.equal(await form.count(), 1, `no forum creation form (input[name=name]) on ${page.url()}:\n${await bodyText(page)}`);
  await (await expectField(form, 'input[name=name]', 'forum creation')).fill(name);
  await (await expectField(form, 'input[name=title]', 'forum creation')).fill(title);
  if (description) await (await expectField(form, '[name=description]', 'forum creation')).fill(description);
  if (minPostLevel) await (await expectField(form, 'select[name=min_post_level]', 'forum creation')).selectOption(minPostLevel);
  const created = await submitForm(page, form);
  assert.ok(created.status() < 400, `creating the forum answered ${created.status()} at ${page.url()}:\n${await bodyText(page)}`);
  await expectNoAlert(page, 'creating the forum');
  assert.equal(
    new URL(page.url()).pathname,
    `/forums/${name}`,
    `after creating the forum the browser should be on /forums/${name}, is on ${page.url()}:\n${await bodyText(page)}`,
  );
}

/** Publishes a thread from the compose form of the forum page `page` shows; resolves with its /threads/ID. */
export async function postThread(page, inst, { title, body }) {
  const form = formWith(page, 'body').filter({ has: page.locator('input[name=title]') });
  assert.equal(await form.count(), 1, `no compose form (fields "title", "body") on ${page.url()}`);
  await (await expectField(form, 'input[name=title]', 'compose')).fill(title);
  await (await expectField(form, '[name=body]', 'compose')).fill(body);
  const publish = form.locator('button[type=submit]:not([name=preview]), input[type=submit]:not([name=preview])');
  assert.equal(await publish.count(), 1, `expected one publish button besides "Aperçu" on ${page.url()}`);
  const published = await clickAndWaitForPage(page, publish);
  assert.ok(published.status() < 400, `publishing on ${inst.label} answered ${published.status()} at ${page.url()}:\n${await bodyText(page)}`);
  await expectNoAlert(page, 'publishing the thread');
  const pathname = new URL(page.url()).pathname;
  assert.match(pathname, /^\/threads\/\d+$/, `after publishing, the browser should be on /threads/ID, is on ${page.url()}:\n${await bodyText(page)}`);
  return pathname;
}

/**
 * Follows the remote forum `handle` (NAME@HOST) from /forums on `inst` and waits (at
 * most `timeoutMs`) until its page says the follow was accepted. `onFollowed(page)`
 * runs on the page shown right after the follow was sent, before the wait.
 */
export async function followRemoteForum(page, inst, handle, { timeoutMs, instances, onFollowed = async () => {} }) {
  await goto(page, inst, '/forums');
  const form = formWith(page, 'handle').first();
  assert.equal(await form.count(), 1, `no follow form (field "handle") on ${page.url()}`);
  await (await expectField(form, 'input[name=handle]', 'follow')).fill(`!${handle}`);
  const followed = await submitForm(page, form);
  assert.ok(followed.status() < 400, `following !${handle} answered ${followed.status()} at ${page.url()}:\n${await bodyText(page)}`);
  await expectNoAlert(page, 'following the remote forum');
  assert.equal(
    decodeURIComponent(new URL(page.url()).pathname),
    `/forums/${handle}`,
    `after following, the browser should be on /forums/${handle}, is on ${page.url()}:\n${await bodyText(page)}`,
  );
  await onFollowed(page);
  const accepted = await reloadUntil(page, inst, `/forums/${handle}`, async (p) => (await bodyText(p)).includes('Vous suivez ce forum.'), {
    timeoutMs,
    instances,
  });
  assert.ok(
    accepted,
    `the follow of !${handle} was not accepted within ${timeoutMs} ms; the page shows:\n${await bodyText(page)}\n${allLogTails(instances, 40)}`,
  );
}

/** Sends `text` with the reply form of the thread page `page` shows, and checks the browser is back on that page. */
export async function postReply(page, inst, text) {
  const threadPath = new URL(page.url()).pathname;
  const form = formWith(page, 'body').filter({ has: page.locator('textarea[name=body], input[name=body]') });
  assert.equal(await form.count(), 1, `no reply form (field "body") on ${page.url()}`);
  await (await expectField(form, '[name=body]', 'reply')).fill(text);
  const send = form.locator('button[type=submit]:not([name=preview]), input[type=submit]:not([name=preview])');
  assert.equal(await send.count(), 1, `expected one send button besides "Aperçu" in the reply form on ${page.url()}`);
  const sent = await clickAndWaitForPage(page, send);
  assert.ok(sent.status() < 400, `replying on ${inst.label} answered ${sent.status()} at ${page.url()}:\n${await bodyText(page)}`);
  await expectNoAlert(page, `replying on ${inst.label}`);
  assert.equal(new URL(page.url()).pathname, threadPath, `after replying, the browser should be back on ${threadPath}, is on ${page.url()}`);
}

const FR_DAYS = ['dim.', 'lun.', 'mar.', 'mer.', 'jeu.', 'ven.', 'sam.'];
const FR_MONTHS = ['janv.', 'févr.', 'mars', 'avr.', 'mai', 'juin', 'juil.', 'août', 'sept.', 'oct.', 'nov.', 'déc.'];

/** The day of `date` in Europe/Paris as pages write it in French (src/dates.rs): "mar. 12 janv. 2027", "lun. 1er févr. 2027". */
export function frenchDay(date) {
  const [year, month, day] = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' })
    .format(date)
    .split('-')
    .map(Number);
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return `${FR_DAYS[weekday]} ${day === 1 ? '1er' : day} ${FR_MONTHS[month - 1]} ${year}`;
}

/** Fails when the page scrolls sideways at its current width. */
export async function expectNoSidewaysScroll(page, what) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  assert.ok(scroll <= client, `${what} scrolls sideways: ${scroll} px of content in ${client} px`);
}

/**
 * Opens `pathname` on `inst` at 1280 and 390 px wide, checks that it does not scroll
 * sideways at 390 px and, when PREAU_SHOTS_DIR is set, saves `NAME-WIDTH.png` there.
 */
export async function atBothWidths(page, inst, pathname, name) {
  const shots = process.env.PREAU_SHOTS_DIR;
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await goto(page, inst, pathname);
    if (width === 390) await expectNoSidewaysScroll(page, `${pathname} at 390 px`);
    if (shots) {
      await mkdir(shots, { recursive: true });
      await page.screenshot({ path: path.join(shots, `${name}-${width}.png`), fullPage: true });
    }
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}
