// Helpers shared by the browser tests: ports, databases, child servers,
// page navigation and form helpers, and the axe-core accessibility check.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AXE_SOURCE_PATH = require.resolve('axe-core/axe.min.js');
const DATABASE_KIND = process.env.PREAU_BROWSER_DATABASE ?? 'sqlite';
let axeSource = null;

export async function freePort() {
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
