// Browser end-to-end test: contacts in categories (issue 14, seed 004).
//
// One instance, two teachers. Camille creates a category, adds Yann in it
// (shown "Invitation en attente" with the category's count), Yann accepts
// from "Mes demandes"; Camille deletes the category through its
// confirmation page (Yann moves to "Autres contacts"), then removes Yann
// after confirming: Yann no longer has Camille either. axe-core checks
// every page visited; the contacts page must not scroll sideways at 390 px.
//
// Real parts only: a `preau serve` child on loopback, accounts made with the
// `preau admin create-user` CLI, Debian's Chromium driven by playwright-core.
import assert from 'node:assert/strict';
import dns from 'node:dns';

import { chromium } from 'playwright-core';
import {
  bodyText,
  checkAccessibility,
  clickAndWaitForPage,
  createUser,
  expectNoSidewaysScroll,
  goto,
  launchChromium,
  logIn,
  newInstance,
  newPages,
  setUp,
  startInstance,
  stepper,
  tearDown,
} from './lib.mjs';

dns.setDefaultResultOrder('ipv4first');

const CONFIG = 'instance-config/institutional.toml';
const CAMILLE = { name: 'cmartin', email: 'camille.martin@ac-rennes.fr', password: 'Tableau-noir-2024!' };
const YANN = { name: 'ylefur', email: 'yann.lefur@ac-rennes.fr', password: 'Craie-blanche-2024!' };
const CATEGORY = 'Collègues de sciences';

const state = {
  a: newInstance('A'),
  browser: null,
  camille: null,
  yann: null,
  failed: false,
  axeFindings: [],
  dialogs: [],
};

const step = stepper(state, {
  prefix: 'contacts',
  timeoutMs: 60_000,
  pages: () => [['camille', state.camille], ['yann', state.yann]],
});

setUp(state, async () => {
  await startInstance(state.a, { config: CONFIG, prefix: 'preau-browser-contacts' });
  await createUser(state.a, CAMILLE);
  await createUser(state.a, YANN);
  state.browser = await launchChromium(chromium);
  [state.camille, state.yann] = await newPages(state.browser, 2, state.dialogs);
});

tearDown(state, { prefix: 'contacts', instances: () => [state.a] });

step('a category is created and shows its count', async () => {
  const page = state.camille;
  await logIn(page, state.a, CAMILLE);
  await goto(page, state.a, '/contacts');
  await checkAccessibility(page, 'contacts page (empty)', state.axeFindings);
  await page.locator('#category_name').fill(CATEGORY);
  await clickAndWaitForPage(page, page.getByRole('button', { name: 'Créer la catégorie', exact: true }));
  assert.match(await page.locator('.flash[role=status]').innerText(), /créée/);
  const heading = page.getByRole('heading', { name: `${CATEGORY} (0)` });
  assert.equal(await heading.count(), 1, await bodyText(page));
});

step('a contact added in it shows "Invitation en attente"', async () => {
  const page = state.camille;
  await page.locator('#contact-handle').fill(YANN.name);
  await page.locator('#contact-category').selectOption({ label: CATEGORY });
  await clickAndWaitForPage(page, page.getByRole('button', { name: 'Demander en contact', exact: true }));
  assert.equal(new URL(page.url()).pathname, '/contacts');
  const text = await bodyText(page);
  assert.ok(text.includes(`${CATEGORY} (1)`) && text.includes('Invitation en attente'), text);
  await checkAccessibility(page, 'contacts page (pending)', state.axeFindings);
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await expectNoSidewaysScroll(page, 'contacts page');
  }
  await page.setViewportSize({ width: 1280, height: 900 });
});

step('the colleague accepts in "Mes demandes"', async () => {
  const page = state.yann;
  await logIn(page, state.a, YANN);
  await goto(page, state.a, '/requests');
  await clickAndWaitForPage(page, page.locator('.contact-request button[value=accept]').first());
  await goto(page, state.a, '/contacts');
  const text = await bodyText(page);
  assert.ok(text.includes('Autres contacts (1)') && text.includes('Contact accepté'), text);
  await goto(state.camille, state.a, '/contacts');
  assert.ok((await bodyText(state.camille)).includes('Contact accepté'));
});

step('deleting the category, after confirming, moves the contact to "Autres contacts"', async () => {
  const page = state.camille;
  await clickAndWaitForPage(page, page.locator('a', { hasText: 'Supprimer la catégorie' }).first());
  assert.ok((await bodyText(page)).includes(`Supprimer la catégorie « ${CATEGORY} » ?`));
  await checkAccessibility(page, 'delete category confirmation', state.axeFindings);
  await clickAndWaitForPage(page, page.locator('button.danger'));
  assert.equal(new URL(page.url()).pathname, '/contacts');
  const text = await bodyText(page);
  assert.ok(text.includes('Autres contacts (1)') && !text.includes(`${CATEGORY} (`), text);
});

step('removing the contact, after confirming, removes it on both sides', async () => {
  const page = state.camille;
  await clickAndWaitForPage(page, page.locator('a', { hasText: 'Supprimer le contact' }).first());
  assert.ok((await bodyText(page)).includes('des deux côtés'));
  await checkAccessibility(page, 'remove contact confirmation', state.axeFindings);
  await clickAndWaitForPage(page, page.locator('button.danger'));
  assert.match(await page.locator('.flash[role=status]').innerText(), /ne fait plus partie de vos contacts/);
  assert.ok((await bodyText(page)).includes('Aucun contact pour l’instant.'));
  await goto(state.yann, state.a, '/contacts');
  assert.ok((await bodyText(state.yann)).includes('Aucun contact pour l’instant.'));
  await checkAccessibility(state.yann, 'contacts page (after removal)', state.axeFindings);
});
