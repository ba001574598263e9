// Browser end-to-end test: conversations (issue 14, the ENT chat).
//
// One instance, two teachers in two browser contexts. They become contacts
// from "Mes demandes"; Camille starts the conversation "Sortie au musée"
// with Yann from "Messages"; Yann accepts the invitation; they chat, and
// each message, the arrival and the departure, a message edited and then
// deleted appear on the other's open page without a reload (the event
// stream); the message form is sent without leaving the page, a refusal
// shows beside it with the text kept; the emoji picker inserts an
// emoji; Camille's header counts Yann's unread message, live, and a
// message read on the open page is not counted. axe-core checks
// every page visited, at 1280 and 390 px without sideways scrolling.
//
// Real parts only: a `preau serve` child on loopback, accounts made with the
// `preau admin create-user` CLI, Debian's Chromium driven by playwright-core.
// PREAU_SHOTS_DIR, when set, receives screenshots at 1280 and 390 px.
import assert from 'node:assert/strict';
import dns from 'node:dns';

import { chromium } from 'playwright-core';
import {
  bodyText,
  checkAccessibility,
  checkedAtBothWidths,
  clickAndWaitForPage,
  goto,
  logIn,
  markPage,
  oneInstance,
  sendMessage,
  squash,
  stillSamePage,
  streamOpen,
} from './lib.mjs';

dns.setDefaultResultOrder('ipv4first');

const CONFIG = 'instance-config/institutional.toml';
const CAMILLE = { name: 'cmartin', email: 'camille.martin@ac-rennes.fr', password: 'Tableau-noir-2024!' };
const YANN = { name: 'ylegall', email: 'yann.legall@ac-rennes.fr', password: 'Craie-blanche-2024!' };
const NAME = 'Sortie au musée';

const { state, step } = oneInstance(chromium, {
  prefix: 'conversations',
  config: CONFIG,
  people: [
    { key: 'camille', label: 'camille', user: CAMILLE },
    { key: 'yann', label: 'yann', user: YANN },
  ],
  extra: { path: null },
});

/** Screenshots at both widths, then axe at 1280 and 390 px. */
const checked = (page, pathname, label) =>
  checkedAtBothWidths(page, state.a, pathname, { shot: `conversations-${label}`, label, findings: state.axeFindings });

step('the two teachers become contacts', async () => {
  await logIn(state.camille, state.a, CAMILLE);
  await logIn(state.yann, state.a, YANN);
  await goto(state.camille, state.a, '/requests');
  await state.camille.locator('#contact-handle').fill(YANN.name);
  await clickAndWaitForPage(state.camille, state.camille.getByRole('button', { name: 'Demander en contact' }));
  await goto(state.yann, state.a, '/requests');
  await clickAndWaitForPage(
    state.yann,
    state.yann.locator('.contact-request button[value=accept]').first(),
  );
  assert.ok((await bodyText(state.yann)).includes(CAMILLE.name));
});

step('Camille starts a named conversation with Yann', async () => {
  const page = state.camille;
  await checked(page, '/conversations', 'messages (list)');
  await page.locator('#conversation-name').fill(NAME);
  await page.getByLabel(new RegExp(YANN.name)).check();
  await clickAndWaitForPage(page, page.getByRole('button', { name: 'Commencer la conversation' }));
  state.path = new URL(page.url()).pathname;
  assert.match(state.path, /^\/conversations\/\d+$/);
  const text = await bodyText(page);
  assert.ok(text.includes(`Conversation « ${NAME} » créée`), text);
  assert.ok(text.includes('Le salon de discussion est maintenant déverrouillé'), text);
  await checked(page, state.path, 'conversation (creator)');
});

step('Yann accepts the invitation; Camille sees him arrive live', async () => {
  const page = state.yann;
  await goto(page, state.a, '/conversations');
  const text = await bodyText(page);
  assert.ok(text.includes(`vous invite à la conversation « ${NAME} »`), text);
  await checkAccessibility(page, 'messages (invitation)', state.axeFindings);
  await goto(state.camille, state.a, state.path);
  await streamOpen(state.camille);
  await clickAndWaitForPage(page, page.locator('.conversation-invitation button[value=accept]'));
  assert.equal(new URL(page.url()).pathname, state.path);
  await state.camille
    .locator('#conversation-lines', { hasText: 'a rejoint la conversation |' })
    .waitFor({ timeout: 15_000 });
  assert.match(await state.camille.locator('#conversation-lines').innerText(), /a rejoint la conversation \| \d\d:\d\d:\d\d/);
});

step('they chat live, with an emoji from the picker', async () => {
  await goto(state.yann, state.a, state.path);
  await streamOpen(state.yann);
  await streamOpen(state.camille);
  const camille = state.camille;
  await camille.locator('#message-body').fill('Rendez-vous *devant* le musée ');
  await camille.locator('#message-body').press('End');
  await camille.locator('#smiley-picker [data-smiley="😀"]').click();
  assert.equal(await camille.locator('#message-body').inputValue(), 'Rendez-vous *devant* le musée 😀');
  const yannMark = await markPage(state.yann);
  await sendMessage(camille, 'Rendez-vous *devant* le musée 😀', 'Rendez-vous devant le musée 😀');
  await state.yann
    .locator('#conversation-lines em', { hasText: 'devant' })
    .waitFor({ timeout: 15_000 });
  assert.ok((await state.yann.locator('#conversation-lines').innerText()).includes('😀'));
  await stillSamePage(state.yann, yannMark, 'Yann receiving');
  // Yann's page read it: his header does not count it.
  await state.yann.waitForFunction(
    () => document.getElementById('messages-count')?.hidden === true,
    null,
    { timeout: 15_000 },
  );
  // A refusal: the server's message, announced, the text kept, the page not left.
  const tooLong = 'x'.repeat(5001);
  const camilleMark = await markPage(camille);
  await camille.locator('#message-body').fill(tooLong);
  await camille.getByRole('button', { name: 'Envoyer', exact: true }).click();
  await camille.locator('#form-error[role=alert]').waitFor({ timeout: 15_000 });
  assert.match(await camille.locator('#form-error').innerText(), /trop long/i);
  assert.equal(await camille.locator('#message-body').inputValue(), tooLong);
  await stillSamePage(camille, camilleMark, 'a refused message');
  await checkAccessibility(camille, 'conversation (refused message)', state.axeFindings);
  // Sent again, the refusal goes.
  await sendMessage(camille, 'À demain devant le musée');
  assert.equal(await camille.locator('#form-error').count(), 0);
  const yann = state.yann;
  await goto(camille, state.a, '/conversations');
  await streamOpen(camille);
  await sendMessage(yann, 'Parfait, à demain !');
  // The header's count is live on Camille's page (no reload).
  await camille.waitForFunction(
    () => document.getElementById('messages-count')?.textContent === '1',
    null,
    { timeout: 15_000 },
  );
  assert.match(squash(await camille.locator('#messages-count-text').textContent()), /Messages à lire : 1/);
  // Camille, on her list, reads the count after a reload (no JS needed).
  await goto(camille, state.a, '/conversations');
  assert.ok((await bodyText(camille)).includes('1 message non lu'), await bodyText(camille));
  await checkAccessibility(camille, 'messages (unread)', state.axeFindings);
  await goto(camille, state.a, state.path);
  await streamOpen(camille);
  assert.ok((await bodyText(camille)).includes('Parfait, à demain !'));
  await checked(yann, state.path, 'conversation (participant)');
});

step('Yann edits, then deletes his message; Camille sees both live', async () => {
  const yann = state.yann;
  const camille = state.camille;
  await goto(camille, state.a, state.path);
  await streamOpen(camille);
  await goto(yann, state.a, state.path);
  const mine = yann.locator('#conversation-lines .conversation-message.mine').last();
  await mine.locator('summary').click();
  await mine.locator('textarea').fill('Parfait, à après-demain !');
  await clickAndWaitForPage(yann, mine.getByRole('button', { name: 'Enregistrer' }));
  // On Camille's page, without a reload: the new text, marked edited.
  const edited = camille.locator('#conversation-lines .conversation-message', { hasText: 'à après-demain' });
  await edited.waitFor({ timeout: 15_000 });
  assert.ok((await edited.innerText()).includes('modifié'), await edited.innerText());
  const again = yann.locator('#conversation-lines .conversation-message.mine').last();
  await again.locator('summary').click();
  await clickAndWaitForPage(yann, again.getByRole('link', { name: 'Supprimer' }));
  assert.ok((await bodyText(yann)).includes('Supprimer ce message ?'));
  await checkAccessibility(yann, 'delete confirmation', state.axeFindings);
  await clickAndWaitForPage(yann, yann.locator('button.danger'));
  await camille
    .locator('#conversation-lines', { hasText: 'Message supprimé.' })
    .waitFor({ timeout: 15_000 });
  assert.ok(!(await camille.locator('#conversation-lines').innerText()).includes('après-demain'));
});

step('Yann leaves after confirming; Camille sees it live', async () => {
  const yann = state.yann;
  await goto(state.camille, state.a, state.path);
  await streamOpen(state.camille);
  await goto(yann, state.a, state.path);
  await clickAndWaitForPage(yann, yann.locator('a', { hasText: 'Quitter la conversation' }));
  assert.ok((await bodyText(yann)).includes('Quitter cette conversation ?'));
  await checkAccessibility(yann, 'leave confirmation', state.axeFindings);
  await clickAndWaitForPage(yann, yann.locator('button.danger'));
  assert.equal(new URL(yann.url()).pathname, '/conversations');
  assert.ok((await bodyText(yann)).includes(`Vous avez quitté la conversation « ${NAME} »`));
  await state.camille
    .locator('#conversation-lines', { hasText: 'a quitté la conversation :' })
    .waitFor({ timeout: 15_000 });
});

step('Camille invites Yann again, then removes him after confirming; he is told', async () => {
  const camille = state.camille;
  await goto(camille, state.a, state.path);
  await camille.locator('#invite-person').selectOption({ index: 0 });
  assert.match(await camille.locator('#invite-person option:checked').innerText(), new RegExp(YANN.name));
  await clickAndWaitForPage(camille, camille.getByRole('button', { name: 'Inviter', exact: true }));
  assert.ok((await bodyText(camille)).includes('Invitation à la conversation envoyée'));
  await goto(state.yann, state.a, '/conversations');
  await checked(state.yann, '/conversations', 'messages (invited again)');
  await clickAndWaitForPage(camille, camille.locator('a.remove-participant').first());
  assert.ok((await bodyText(camille)).includes('Renvoyer ce participant de la conversation ?'));
  await checkAccessibility(camille, 'remove confirmation', state.axeFindings);
  await clickAndWaitForPage(camille, camille.locator('button.danger'));
  assert.ok((await bodyText(camille)).includes('a été retiré de la conversation'));
  await goto(state.yann, state.a, '/conversations');
  const told = await bodyText(state.yann);
  assert.ok(told.includes(`${CAMILLE.name} vous a retiré de la conversation ${NAME}.`), told);
  await checked(state.yann, '/conversations', 'messages (removed)');
});
