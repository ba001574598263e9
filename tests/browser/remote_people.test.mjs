// Browser end-to-end test: a teacher of another instance opens on one's own
// instance (issue 13, "Trust, readable").
//
// Two `preau serve` processes on loopback, A and B. On A, a teacher opens B's
// teacher by handle from the directory's "Ouvrir un profil ou un projet d'une
// autre instance" form, then again from the directory's results: both land on
// A's own page /@name@B, with the name, the trust label and its "pourquoi ?"
// panel, and the contact button. The contact request sent from there waits in
// "Mes demandes" on B. A project created on B opens on A by its address from
// the same form, with "Demander à rejoindre"; an unknown handle ends on an
// directory form with the reason at the field (handle_unknown). axe-core checks every page; screenshots at 1280 and 390 px go to
// PREAU_SHOTS_DIR when it is set, and the page must not scroll sideways at 390 px.
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
  createUser,
  expectField,
  expectNoAlert,
  formWith,
  goto,
  launchChromium,
  logIn,
  newInstance,
  newPages,
  reloadUntil,
  setUp,
  startInstance,
  stepper,
  submitForm,
  tearDown,
} from './lib.mjs';

dns.setDefaultResultOrder('ipv4first');

const FEDERATION_TIMEOUT_MS = 30_000;
const ALICE = { name: 'amartin', email: 'alice.martin@ac-rennes.fr', password: 'Tableau-noir-2024!' };
const BRUNO = { name: 'bleroy', email: 'bruno.leroy@example.org', password: 'Compas-rouge-2024!' };

const state = {
  a: newInstance('A', 'the reader'),
  b: newInstance('B', 'the remote teacher'),
  browser: null,
  pageA: null,
  pageB: null,
  failed: false,
  axeFindings: [],
  dialogs: [],
};
const INSTANCES = () => [state.a, state.b];

const step = stepper(state, {
  prefix: 'remote_people',
  timeoutMs: 90_000,
  pages: () => [['A', state.pageA], ['B', state.pageB]],
});

setUp(state, async () => {
  const prefix = 'preau-browser-remote-people';
  await startInstance(state.a, { config: 'instance-config/institutional.toml', prefix });
  await startInstance(state.b, { config: 'instance-config/associative.toml', prefix });
  await createUser(state.a, ALICE);
  await createUser(state.b, BRUNO);
  state.browser = await launchChromium(chromium);
  [state.pageA, state.pageB] = await newPages(state.browser, 2, state.dialogs);
});

tearDown(state, { prefix: 'remote_people', instances: INSTANCES });

const handle = () => `${BRUNO.name}@${state.b.domain}`;
const localPath = () => `/@${handle()}`;

step('A: the teacher opens B’s teacher by handle from the directory, on A', async () => {
  const page = state.pageA;
  await logIn(page, state.a, ALICE);
  await goto(page, state.a, '/directory');
  await checkAccessibility(page, 'directory (A)', state.axeFindings);
  const form = formWith(page, 'handle').filter({ has: page.locator('#directory-lookup-handle') });
  assert.equal(await form.count(), 1, `no lookup form on the directory:\n${await bodyText(page)}`);
  await (await expectField(form, 'input[name=handle]', 'lookup')).fill(handle());
  const answer = await submitForm(page, form);
  assert.equal(answer.status(), 200, `the lookup answered ${answer.status()}:\n${await bodyText(page)}`);
  const url = new URL(page.url());
  assert.equal(url.origin, state.a.base, `the person opens on A, not on ${url.origin}`);
  assert.equal(decodeURIComponent(url.pathname), localPath());
  const text = await bodyText(page);
  assert.ok(text.includes(BRUNO.name), `the page names the teacher:\n${text}`);
  assert.ok(await page.locator('.post-trust .trust').count() === 1, 'the page shows the trust label');
  assert.ok(await page.locator('details.trust-why').count() === 1, 'the label has its "pourquoi ?" panel');
  assert.ok(text.includes('Voir sur son instance'), 'a secondary link leads to the person’s instance');
  await checkAccessibility(page, 'remote person page (A)', state.axeFindings);
  await atBothWidths(page, state.a, localPath(), 'remote-person');
});

step('A: the directory’s result links to the page on A; the contact request leaves from there', async () => {
  const page = state.pageA;
  await goto(page, state.a, `/directory?kind=people&q=${BRUNO.name}`);
  const link = page.locator('a', { hasText: BRUNO.name }).first();
  assert.equal(await link.count(), 1, `the directory lists B’s teacher:\n${await bodyText(page)}`);
  await clickAndWaitForPage(page, link);
  const url = new URL(page.url());
  assert.equal(url.origin, state.a.base, `the result opens on A, not on ${url.origin}`);
  assert.equal(decodeURIComponent(url.pathname), localPath());
  const button = page.getByRole('button', { name: 'Demander en contact' });
  assert.equal(await button.count(), 1, `the page offers the contact request:\n${await bodyText(page)}`);
  await clickAndWaitForPage(page, button);
  await expectNoAlert(page, 'the contact request');
  const after = await bodyText(page);
  assert.ok(after.includes('Demande de contact envoyée'), `a notice confirms the request:\n${after}`);
  assert.equal(decodeURIComponent(new URL(page.url()).pathname), localPath(), 'back on the person’s page');
  await checkAccessibility(page, 'remote person page after the request (A)', state.axeFindings);
});

step('B: the request waits in “Mes demandes”', async () => {
  const page = state.pageB;
  await logIn(page, state.b, BRUNO);
  const arrived = await reloadUntil(page, state.b, '/requests', async (p) =>
    (await bodyText(p)).includes(`${ALICE.name}@${state.a.domain}`), {
    timeoutMs: FEDERATION_TIMEOUT_MS,
    instances: INSTANCES(),
  });
  assert.ok(arrived, `the request did not reach B:\n${await bodyText(page)}`);
  await checkAccessibility(page, 'requests (B)', state.axeFindings);
});

step('B: the teacher creates a project; A: the teacher opens it by its address from the directory', async () => {
  const pageB = state.pageB;
  await goto(pageB, state.b, '/projects/new');
  await pageB.getByLabel('Nom court', { exact: true }).fill('robots');
  await pageB.getByLabel('Titre', { exact: true }).fill('Robots en classe');
  await pageB.getByLabel('Adhésion', { exact: true }).selectOption('request');
  const created = await submitForm(pageB, formWith(pageB, 'title').filter({ has: pageB.locator('input[name=name]') }));
  assert.equal(created.status(), 200, `the project was not created:\n${await bodyText(pageB)}`);

  const page = state.pageA;
  await goto(page, state.a, '/directory');
  const form = formWith(page, 'handle').filter({ has: page.locator('#directory-lookup-handle') });
  await (await expectField(form, 'input[name=handle]', 'lookup')).fill(`${state.b.base}/projects/robots`);
  const answer = await submitForm(page, form);
  assert.equal(answer.status(), 200, `the lookup answered ${answer.status()}:\n${await bodyText(page)}`);
  const url = new URL(page.url());
  assert.equal(url.origin, state.a.base, `the project opens on A, not on ${url.origin}`);
  assert.equal(decodeURIComponent(url.pathname), `/projects/robots@${state.b.domain}`);
  const text = await bodyText(page);
  assert.ok(text.includes('Robots en classe'), `the page names the project:\n${text}`);
  assert.equal(await page.getByRole('button', { name: 'Demander à rejoindre' }).count(), 1,
    `the page offers to ask to join:\n${text}`);
  await checkAccessibility(page, 'remote project page (A)', state.axeFindings);

  // An unknown name on a reachable instance says so.
  await goto(page, state.a, '/directory');
  await (await expectField(form, 'input[name=handle]', 'lookup')).fill(`personne@${state.b.domain}`);
  const refused = await submitForm(page, form);
  assert.equal(refused.status(), 404, `an unknown handle answered ${refused.status()}`);
  assert.equal(await page.locator('[data-error-code="handle_unknown"]').count(), 1,
    `the form names the reason at the field:\n${await bodyText(page)}`);
  assert.equal(await page.locator('#directory-lookup-handle').inputValue(), `personne@${state.b.domain}`,
    'the handle typed is kept');
});
