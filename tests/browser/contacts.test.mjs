// Browser end-to-end test: contacts in categories (issue 14, seed 004).
//
// One instance, two teachers. Camille creates a category, adds Yann in it
// (shown "Invitation en attente" with the category's count), Yann accepts
// from "Mes demandes"; Camille deletes the category through its
// confirmation page (Yann moves to "Autres contacts"), then removes Yann
// after confirming: Yann no longer has Camille either. Camille also
// chooses her presence from her name in the header, at 1280 and at 390 px
// (where the header folds into a menu): Yann, her contact, sees it change
// on his open contacts page without a reload. Finally she blocks Yann from
// his profile (after a confirmation page) and unblocks him from the
// contacts page. axe-core checks every page visited (the account menu
// open too); pages must not scroll sideways at 390 px. With
// PREAU_SHOTS_DIR set, screenshots of the contacts page and of the open
// account menu at both widths go there.
//
// Real parts only: a `preau serve` child on loopback, accounts made with the
// `preau admin create-user` CLI, Debian's Chromium driven by playwright-core.
import assert from 'node:assert/strict';
import dns from 'node:dns';

import { mkdir } from 'node:fs/promises';
import path from 'node:path';

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

/** Saves a screenshot `NAME-WIDTH.png` in PREAU_SHOTS_DIR, when set. */
async function shot(page, name, width) {
  const shots = process.env.PREAU_SHOTS_DIR;
  if (!shots) return;
  await mkdir(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, `${name}-${width}.png`), fullPage: true });
}

/** The presence Yann's open contacts page shows of Camille. */
async function presenceShown(page) {
  return squashText(await page.locator('.contact-accepted .presence .presence-text').first().innerText());
}
const squashText = (s) => s.replace(/\s+/g, ' ').trim();

step('presence is chosen from the header (1280 and 390 px) and the contact sees it live', async () => {
  const yann = state.yann;
  await goto(yann, state.a, '/contacts');
  await yann.waitForFunction(() => document.body.dataset.liveState === 'open', null, { timeout: 15_000 });
  const page = state.camille;
  const choices = [
    [1280, 'Ne pas déranger'],
    [390, 'Absent'],
  ];
  for (const [width, status] of choices) {
    await page.setViewportSize({ width, height: 900 });
    await goto(page, state.a, '/contacts');
    if (width === 390) {
      // The header folds into "Menu"; the account's links are inside it.
      await page.locator('details.nav-menu > summary').click();
    } else {
      await page.locator('details.account-menu > summary').click();
    }
    const button = page.locator('.presence-form').getByRole('button', { name: status, exact: true });
    await button.waitFor({ state: 'visible' });
    await checkAccessibility(page, `account menu open at ${width} px`, state.axeFindings);
    await expectNoSidewaysScroll(page, `account menu open at ${width} px`);
    await shot(page, 'account-menu', width);
    await clickAndWaitForPage(page, button);
    assert.match(await page.locator('.flash[role=status]').innerText(), new RegExp(status));
    // Yann's page changes without a reload.
    await yann.waitForFunction(
      (expected) => {
        const text = document.querySelector('.contact-accepted .presence .presence-text');
        return text && text.textContent.trim() === expected;
      },
      status,
      { timeout: 15_000 },
    );
    assert.equal(await presenceShown(yann), status);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  // Reloaded, his page says the same; the pressed choice is hers.
  await goto(yann, state.a, '/contacts');
  assert.equal(await presenceShown(yann), 'Absent');
  await checkAccessibility(yann, 'contacts page with presence', state.axeFindings);
  for (const width of [1280, 390]) {
    await yann.setViewportSize({ width, height: 900 });
    await goto(yann, state.a, '/contacts');
    await expectNoSidewaysScroll(yann, `contacts page at ${width} px`);
    await shot(yann, 'contacts', width);
  }
  await yann.setViewportSize({ width: 1280, height: 900 });
  const pressed = page.locator('.presence-form button[aria-pressed=true]');
  assert.equal(squashText(await pressed.textContent()), 'Absent');
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

step('blocking from a profile asks for confirmation; the contacts page lists and unblocks', async () => {
  const page = state.camille;
  await goto(page, state.a, `/users/${YANN.name}`);
  await clickAndWaitForPage(page, page.locator('a', { hasText: 'Bloquer cette personne' }));
  assert.ok((await bodyText(page)).includes('n’est pas prévenu du blocage'));
  await checkAccessibility(page, 'block confirmation', state.axeFindings);
  await clickAndWaitForPage(page, page.locator('button.danger'));
  assert.equal(new URL(page.url()).pathname, `/users/${YANN.name}`);
  assert.ok((await bodyText(page)).includes('Vous avez bloqué cette personne'));
  await goto(page, state.a, '/contacts');
  const blocked = page.locator('.blocked-people li');
  assert.equal(await blocked.count(), 1);
  await checkAccessibility(page, 'contacts page with a person blocked', state.axeFindings);
  await expectNoSidewaysScroll(page, 'contacts page with a person blocked');
  await clickAndWaitForPage(page, blocked.getByRole('button', { name: /Débloquer/ }));
  assert.match(await page.locator('.flash[role=status]').innerText(), /n’est plus bloqué/);
  assert.ok((await bodyText(page)).includes('Vous n’avez bloqué personne.'));
});
