// Browser end-to-end test: bans from a forum (issue 13).
//
// One instance. A teacher opens a thread; the admin follows the "Bannir"
// link next to the author's name, bans them for a week with a reason, reads
// the notice and the list of bans; the banned teacher's reply is refused;
// the admin lifts the ban through its confirmation page. axe-core checks
// every page visited, and the bans page must not scroll sideways at 390 px.
//
// Real parts only: a `preau serve` child on loopback, accounts made with the
// `preau admin create-user` CLI, Debian's Chromium driven by playwright-core.
// PREAU_SHOTS_DIR, when set, receives screenshots at 1280 and 390 px.
import assert from 'node:assert/strict';
import dns from 'node:dns';
import path from 'node:path';

import { chromium } from 'playwright-core';
import {
  bodyText,
  checkAccessibility,
  clickAndWaitForPage,
  createForum,
  goto,
  logIn,
  oneInstance,
  postThread,
} from './lib.mjs';

dns.setDefaultResultOrder('ipv4first');

const CONFIG = 'instance-config/institutional.toml';
const ADMIN = { name: 'lbernard', email: 'lucie.bernard@ac-rennes.fr', password: 'Craie-blanche-2024!' };
const AUTHOR = { name: 'cmartin', email: 'camille.martin@ac-rennes.fr', password: 'Tableau-noir-2024!' };
const FORUM = { name: 'vie_scolaire', title: 'Vie scolaire' };
const THREAD = { title: 'Vente de fiches à prix cassés', body: 'Écrivez-moi pour mes tarifs.' };
const REASON = 'Annonces commerciales répétées malgré les retraits';

const { state, step } = oneInstance(chromium, {
  prefix: 'forum-bans',
  config: CONFIG,
  people: [
    { key: 'admin', label: 'admin', user: ADMIN, admin: true },
    { key: 'author', label: 'author', user: AUTHOR },
  ],
  extra: { threadPath: null },
});

async function noSidewaysScroll(page, what) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `${what} scrolls sideways by ${overflow}px at ${page.viewportSize()?.width}px`);
}

async function shots(page, name) {
  const dir = process.env.PREAU_SHOTS_DIR;
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await noSidewaysScroll(page, name);
    if (dir) await page.screenshot({ path: path.join(dir, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

step('a teacher opens a thread', async () => {
  await logIn(state.admin, state.a, ADMIN);
  await createForum(state.admin, state.a, FORUM);
  await logIn(state.author, state.a, AUTHOR);
  await goto(state.author, state.a, `/forums/${FORUM.name}`);
  state.threadPath = await postThread(state.author, state.a, THREAD);
});

step('the admin bans the author from the post, for a week', async () => {
  const page = state.admin;
  await goto(page, state.a, state.threadPath);
  await clickAndWaitForPage(page, page.locator('a', { hasText: 'Bannir' }).first());
  assert.equal(new URL(page.url()).pathname, `/forums/${FORUM.name}/bans`);
  const who = page.locator('#ban-who');
  assert.match(await who.inputValue(), new RegExp(`^${AUTHOR.name}@`), 'the form names the author');
  await checkAccessibility(page, 'bans page (form)', state.axeFindings);
  await shots(page, 'forum-bans-form');
  await page.locator('#ban-reason').fill(REASON);
  await page.locator('#ban-length').selectOption('1w');
  await clickAndWaitForPage(page, page.getByRole('button', { name: 'Exclure', exact: true }));
  assert.equal(new URL(page.url()).pathname, `/forums/${FORUM.name}/bans`);
  const notice = page.locator('.flash[role=status]');
  assert.match(await notice.innerText(), /Exclusion enregistrée/);
  const text = await bodyText(page);
  assert.ok(text.includes(REASON) && text.includes(`Décidée par ${ADMIN.name}@`), text);
  assert.ok(text.includes('jusqu’au'), 'a temporary ban shows its end');
  await checkAccessibility(page, 'bans page (list)', state.axeFindings);
  await shots(page, 'forum-bans-list');
});

step('the banned teacher cannot reply', async () => {
  const page = state.author;
  await goto(page, state.a, state.threadPath);
  await page.locator('#reply-body').fill('Toujours en vente !');
  await clickAndWaitForPage(page, page.getByRole('button', { name: 'Envoyer la réponse' }));
  const text = await bodyText(page);
  assert.ok(text.includes('vous en ont exclu(e)'), text);
});

step('the admin lifts the ban after a confirmation', async () => {
  const page = state.admin;
  await goto(page, state.a, `/forums/${FORUM.name}/bans`);
  await clickAndWaitForPage(page, page.locator('a', { hasText: 'Lever l’exclusion' }).first());
  let text = await bodyText(page);
  assert.ok(text.includes('Lever l’exclusion de'), text);
  await checkAccessibility(page, 'lift confirmation', state.axeFindings);
  await shots(page, 'forum-bans-lift');
  await clickAndWaitForPage(page, page.locator('button.danger'));
  assert.equal(new URL(page.url()).pathname, `/forums/${FORUM.name}/bans`);
  assert.match(await page.locator('.flash[role=status]').innerText(), /Exclusion levée/);
  text = await bodyText(page);
  assert.ok(text.includes('Personne n’est exclu de ce forum.'), text);
  await checkAccessibility(page, 'bans page (empty)', state.axeFindings);
});
