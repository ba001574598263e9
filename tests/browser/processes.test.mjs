// Browser end-to-end test: two `preau serve` processes of one instance sharing one
// PostgreSQL database (issue 12). A teacher's page is served by the second process;
// a reply to her thread is written through the first one's API; the header's unread
// count of the open page rises without a reload: the event crossed processes through
// PostgreSQL LISTEN/NOTIFY and reached the page's event stream.
//
// SQLite is one process's database: two processes on one SQLite file is not a
// supported set-up, so on SQLite the test is skipped, saying why.
//
// Run with `PREAU_BROWSER_DATABASE=postgres PREAU_TEST_POSTGRES_URL=… bash tests/browser/run.sh`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import dns from 'node:dns';

import { chromium } from 'playwright-core';
import {
  DATABASE_KIND,
  checkAccessibility,
  createUser,
  goto,
  launchChromium,
  logIn,
  newBrowserContext,
  newInstance,
  prepareInstance,
  setUp,
  startInstance,
  startServer,
  tearDown,
} from './lib.mjs';

dns.setDefaultResultOrder('ipv4first');

const CONFIG = 'instance-config/informal.toml';
const ANNE = { name: 'amartin', email: 'anne.martin@ecole.example', password: 'Craie-blanche-2024!' };
const BRUNO = { name: 'bpetit', email: 'bruno.petit@ecole.example', password: 'Tableau-noir-2024!' };
const SKIP =
  DATABASE_KIND === 'postgres'
    ? false
    : `two processes share a database on PostgreSQL only (two processes on one SQLite file ` +
      `is not a supported set-up); PREAU_BROWSER_DATABASE is ${DATABASE_KIND}`;

const state = {
  first: newInstance('P1', 'first process'),
  second: newInstance('P2', 'second process, same database and domain'),
  browser: null,
  dialogs: [],
  axeFindings: [],
  failed: false,
};

/** A JSON API call on `inst`; resolves with [status, body]. */
async function api(inst, method, pathname, { token, body } = {}) {
  const response = await fetch(`${inst.base}/api/v1${pathname}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return [response.status, json ?? text];
}

async function tokenOf(inst, user) {
  const [status, session] = await api(inst, 'POST', '/sessions', {
    body: { login: user.name, password: user.password },
  });
  assert.equal(status, 201, `log-in of ${user.name}: ${JSON.stringify(session)}`);
  return session.token;
}

setUp(state, async () => {
  if (SKIP) {
    console.log(`skipped: ${SKIP}`);
    return;
  }
  const { first, second } = state;
  await startInstance(first, { config: CONFIG, prefix: 'preau-browser-processes' });
  // The second process: its own port, the first one's database, domain and files.
  await prepareInstance(second, { config: CONFIG, prefix: 'preau-browser-processes' });
  await rm(second.dataDir, { recursive: true, force: true });
  second.dataDir = null;
  second.database = { url: first.database.url };
  second.env = {
    ...second.env,
    PREAU_INSTANCE_DOMAIN: first.domain,
    PREAU_SERVER_DATA_DIR: first.dataDir,
    PREAU_DATABASE_URL: first.database.url,
  };
  await startServer(second);
  await createUser(first, ANNE, { admin: true });
  await createUser(first, BRUNO);
  state.browser = await launchChromium(chromium);
});

// The second process shares the first one's database (dropped once) and data directory.
tearDown(state, { prefix: 'processes', instances: () => (SKIP ? [] : [state.first, state.second]) });

test('a reply written through one process raises the live count of a page served by the other', { skip: SKIP, timeout: 120_000 }, async () => {
  const { first, second } = state;
  try {
    const anne = await tokenOf(first, ANNE);
    const bruno = await tokenOf(first, BRUNO);
    let [status, body] = await api(first, 'POST', '/forums', {
      token: anne,
      body: { name: 'maths', title: 'Mathématiques' },
    });
    assert.equal(status, 201, JSON.stringify(body));
    [status, body] = await api(first, 'POST', '/forums/maths/threads', {
      token: anne,
      body: { title: 'Fractions en sixième', body: 'Comment les introduisez-vous ?' },
    });
    assert.equal(status, 201, JSON.stringify(body));
    const threadId = body.id;

    // Anne's browser: logged in (the session is in the shared database; the
    // cookie is the host's, whatever the port), her home served by process 2.
    const { page } = await newBrowserContext(state.browser, state.dialogs);
    await logIn(page, first, ANNE);
    const response = await goto(page, second, '/');
    assert.equal(response.status(), 200, `home on the second process: ${response.status()}`);
    await page.waitForSelector('body[data-live-state=open]', { state: 'attached', timeout: 20_000 });
    assert.equal(
      (await page.locator('#unread-count').textContent())?.trim() ?? '',
      '',
      'nothing unread before the reply',
    );
    await checkAccessibility(page, 'home (second process)', state.axeFindings);
    // A mark that a reload would wipe.
    await page.evaluate(() => {
      window.preauNotReloaded = true;
    });

    // Bruno replies through the first process's API.
    [status, body] = await api(first, 'POST', `/threads/${threadId}/replies`, {
      token: bruno,
      body: { body: 'Avec des bandes de papier pliées.' },
    });
    assert.equal(status, 201, JSON.stringify(body));

    await page.waitForFunction(
      () => (document.getElementById('unread-count')?.textContent ?? '').trim() === '1',
      null,
      { timeout: 20_000 },
    );
    assert.equal(await page.evaluate(() => window.preauNotReloaded === true), true, 'no reload');
    assert.equal(new URL(page.url()).port, String(second.port), 'still the page of the second process');
    await checkAccessibility(page, 'home (second process, after the live update)', state.axeFindings);
  } catch (err) {
    state.failed = true;
    throw err;
  }
});
