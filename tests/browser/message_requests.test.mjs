// Browser end-to-end test: « Demandes de message » (issue 14), with a real
// Fedify server (npm @fedify/fedify) as the people writing.
//
// One `preau serve` on loopback where Inès teaches, and one Fedify server
// on loopback, started through tests/interop/lib.mjs (the one way the
// tests start Fedify), serving `olga` and `paul`, who are not Inès's
// contacts:
//
//  1. olga sends Inès a direct Note (to her only, a Mention of her), paul
//     two: Inès's Messages page shows both in « Demandes de message », who
//     wrote and how many messages, and no conversation yet;
//  2. Inès clicks « Accepter » for olga: the conversation opens with
//     olga's message, Inès answers with the page's form (its script): olga's
//     inbox receives a `Create` of a `Note` whose HTTP signature Fedify
//     verified, addressed to olga only, with a Mention of her, in reply to
//     her note; the conversation is among Inès's conversations; her next
//     answer, from a browser without JavaScript (the form posted), reaches
//     olga too;
//  3. Inès clicks « Ignorer » for paul: the request is gone and nothing of
//     paul shows as a conversation; paul writes again: his message stays
//     hidden (no request, no conversation, his conversation's page is not
//     found), as the domain promises for an ignored person.
//
// axe-core checks every page visited, at 1280 and 390 px without sideways
// scrolling; screenshots at both widths go to PREAU_SHOTS_DIR when set.
// Run with `bash tests/browser/run.sh` (it installs tests/interop's Fedify).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import dns from 'node:dns';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after } from 'node:test';

import { chromium } from 'playwright-core';
import {
  assertOneMention,
  createReceived,
  fedifyDiagnostics,
  finish as stopFedify,
  loaders,
  lookedUp,
  inboundCarrying,
  receivedBy,
  startFedify,
  vocab,
  waitFor,
} from '../interop/lib.mjs';
import {
  bodyText,
  checkAccessibility,
  checkedAtBothWidths,
  clickAndWaitForPage,
  goto,
  logIn,
  newBrowserContext,
  oneInstance,
  sendMessage,
  setUp,
  squash,
  streamOpen,
} from './lib.mjs';

const { Create, Mention, Note } = vocab;

dns.setDefaultResultOrder('ipv4first');

const CONFIG = 'instance-config/institutional.toml';
const INES = { name: 'ines', email: 'ines.garnier@ac-rennes.fr', password: 'Cahier-bleu-2024!' };
const OLGA = { identifier: 'olga', name: 'Olga Petrova' };
const PAUL = { identifier: 'paul', name: 'Paul Martel' };
const OLGA_TEXT = 'Bonjour, pouvons-nous échanger sur votre projet de correspondance ?';
const PAUL_TEXTS = ['Bonjour !', 'Vous avez vu mon message ?'];
const PAUL_LATER = 'Toujours pas de réponse ?';
const ANSWER = 'Avec plaisir, écrivez-moi ici.';
const ANSWER_WITHOUT_SCRIPT = 'Je vous envoie le programme demain.';

const { state, step: plainStep } = oneInstance(chromium, {
  prefix: 'message_requests',
  config: CONFIG,
  people: [{ key: 'ines', label: 'ines', user: INES }],
  extra: { fed: null, olgaNote: null, olgaPath: null, paulPath: null },
});

// The Fedify server: after the instance (its `before` is registered first).
setUp(state, async () => {
  state.fed = await startFedify('fedify-dmreq', {
    [OLGA.identifier]: { kind: 'Person', name: OLGA.name },
    [PAUL.identifier]: { kind: 'Person', name: PAUL.name },
  });
});
after(stopFedify);

/** A step whose failure also tells what the Fedify side saw. */
function step(name, fn) {
  plainStep(name, async (t) => {
    try {
      await fn(t);
    } catch (err) {
      if (err instanceof Error) err.message += `\n${fedifyDiagnostics()}`;
      throw err;
    }
  });
}

const teacherId = () => `${state.a.base}/users/${INES.name}`;
const handleOf = (who) => `${who.identifier}@${state.fed.host}`;

/** Screenshots at both widths, then axe at 1280 and 390 px. */
const checked = (pathname, label) =>
  checkedAtBothWidths(state.ines, state.a, pathname, {
    shot: `message-requests-${label}`,
    label,
    findings: state.axeFindings,
  });

/**
 * The page the browser shows now (a notice shown once after a form was
 * sent: reloading would lose it), screenshot at both widths when
 * PREAU_SHOTS_DIR is set, and checked by axe at both.
 */
async function checkedHere(label) {
  const page = state.ines;
  const shots = process.env.PREAU_SHOTS_DIR;
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    if (shots) {
      await mkdir(shots, { recursive: true });
      await page.screenshot({ path: path.join(shots, `message-requests-${label}-${width}.png`), fullPage: true });
    }
    await checkAccessibility(page, `${label} (${width} px)`, state.axeFindings);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

/**
 * `who` sends Inès a direct Note as Mastodon writes one: to her only, a
 * Mention of her, its h-card link first in the text. Préau's inbox
 * applies it before answering, so it is stored once this resolves.
 */
async function sendDirect(who, text) {
  const fed = state.fed;
  const ctx = fed.context();
  const ines = await lookedUp(teacherId(), 'teacher');
  const actor = ctx.getActorUri(who.identifier);
  const id = new URL(`${fed.origin}/notes/dm-${randomUUID()}`);
  const note = new Note({
    id,
    attribution: actor,
    to: ines.id,
    content:
      `<p><span class="h-card" translate="no"><a href="${teacherId()}" class="u-url mention">@<span>${INES.name}</span></a></span> ` +
      `${text}</p>`,
    tags: [new Mention({ href: ines.id, name: `@${INES.name}@${state.a.domain}` })],
  });
  const create = new Create({
    id: new URL(`${fed.origin}/activities/create-${randomUUID()}`),
    actor,
    object: note,
    to: ines.id,
  });
  await ctx.sendActivity({ identifier: who.identifier }, ines, create);
  return id;
}

/** The request of `who` on the Messages page the browser shows. */
const requestOf = (who) => state.ines.locator('li.message-request', { hasText: handleOf(who) });

/**
 * Inès clicks `answer` (« Accepter » or « Ignorer ») in the request of
 * `who` on the Messages page; the browser lands on `landing`, whose text
 * this resolves with.
 */
async function answerRequest(who, answer, landing) {
  const page = state.ines;
  await goto(page, state.a, '/conversations');
  const button = requestOf(who).getByRole('button', { name: `${answer} : ${who.name}` });
  const landed = await clickAndWaitForPage(page, button);
  assert.equal(landed.status(), 200, `« ${answer} » answered ${landed.status()}:\n${await bodyText(page)}`);
  assert.equal(new URL(page.url()).pathname, landing, `« ${answer} » leads to ${landing}`);
  return bodyText(page);
}

/** The entries of « Mes conversations » on the Messages page, as text. */
async function listedConversations() {
  return (await state.ines.locator('.conversation-list li').allInnerTexts()).map(squash);
}

step('olga and paul, of a Fedify server, write to Inès: « Demandes de message » holds them', async () => {
  await logIn(state.ines, state.a, INES);
  state.olgaNote = await sendDirect(OLGA, OLGA_TEXT);
  for (const text of PAUL_TEXTS) await sendDirect(PAUL, text);

  await goto(state.ines, state.a, '/conversations');
  const section = state.ines.locator('section', { has: state.ines.getByRole('heading', { name: /Demandes de message/ }) });
  assert.equal(await section.count(), 1, `no « Demandes de message » section on /conversations:\n${await bodyText(state.ines)}`);
  assert.equal(squash(await section.getByRole('heading', { level: 2 }).innerText()), 'Demandes de message 2');
  assert.equal(await section.locator('li.message-request').count(), 2, await bodyText(state.ines));
  // Latest first: paul wrote last.
  assert.match(squash(await section.locator('li.message-request').first().innerText()), new RegExp(PAUL.name));
  const olga = squash(await requestOf(OLGA).innerText());
  assert.ok(olga.includes(`${OLGA.name} (${handleOf(OLGA)}) vous a écrit un message.`), olga);
  assert.ok(olga.includes(OLGA_TEXT), olga);
  assert.ok(!olga.includes(`@${INES.name}`), `her own name is left in the text: ${olga}`);
  const paul = squash(await requestOf(PAUL).innerText());
  assert.ok(paul.includes(`${PAUL.name} (${handleOf(PAUL)}) vous a écrit 2 messages.`), paul);
  assert.ok(paul.includes(PAUL_TEXTS[1]), `the latest message is shown: ${paul}`);
  assert.deepEqual(await listedConversations(), [], 'a request is no conversation yet');
  state.olgaPath = `/conversations/${await requestOf(OLGA).getAttribute('data-conversation')}`;
  state.paulPath = `/conversations/${await requestOf(PAUL).getAttribute('data-conversation')}`;
  await checked('/conversations', 'waiting');
});

step('Inès accepts olga and answers from the page: Fedify receives a verified direct Note', async () => {
  const page = state.ines;
  const text = await answerRequest(OLGA, 'Accepter', state.olgaPath);
  assert.ok(text.includes(`${OLGA.name} : demande acceptée, vous pouvez lui répondre.`), text);
  await checkedHere('just-accepted');
  await page.locator('#conversation-lines .conversation-message', { hasText: OLGA_TEXT }).waitFor();
  await streamOpen(page);
  await sendMessage(page, ANSWER);

  const fed = state.fed;
  const olga = fed.actorUri(OLGA.identifier).href;
  const { create, raw } = await createReceived(OLGA.identifier, teacherId());
  assert.deepEqual(raw.to, [olga]);
  assert.deepEqual(raw.cc, []);
  assert.equal(raw.object.type, 'Note');
  assert.deepEqual(raw.object.to, [olga]);
  assert.deepEqual(raw.object.cc, []);
  assert.deepEqual(raw.object.tag, [{ type: 'Mention', href: olga, name: `@${handleOf(OLGA)}` }]);
  assert.equal(raw.object.inReplyTo, state.olgaNote.href);
  assert.ok(raw.object.content.includes(ANSWER), raw.object.content);
  // Fedify reads it as a Note to olga, with a Mention of her.
  const object = await create.activity.getObject({ ...loaders });
  assert.ok(object instanceof Note, `the object is a ${object?.constructor?.name}`);
  assert.deepEqual(object.toIds.map((u) => u.href), [olga]);
  await assertOneMention(object, olga);
  assert.equal(object.replyTargetId?.href, state.olgaNote.href);
  assert.equal(receivedBy(PAUL.identifier, 'Create').length, 0, 'paul received nothing');

  await checked(state.olgaPath, 'accepted-conversation');
  await goto(page, state.a, '/conversations');
  const listed = await listedConversations();
  assert.equal(listed.length, 1, JSON.stringify(listed));
  assert.ok(listed[0].startsWith(OLGA.name), JSON.stringify(listed));
  assert.equal(await page.locator('li.message-request').count(), 1, 'paul still waits');
  assert.equal(await requestOf(OLGA).count(), 0, 'olga no longer waits');
  await checked('/conversations', 'one-accepted');
});

step('without JavaScript, Inès answers olga again: the form is posted, Fedify receives it', async () => {
  const { context, page } = await newBrowserContext(state.browser, state.dialogs, { javaScriptEnabled: false });
  try {
    await logIn(page, state.a, INES);
    await goto(page, state.a, state.olgaPath);
    await page.locator('#message-body').fill(ANSWER_WITHOUT_SCRIPT);
    const sent = await clickAndWaitForPage(page, page.getByRole('button', { name: 'Envoyer', exact: true }));
    assert.equal(sent.status(), 200, `sending answered ${sent.status()}:\n${await bodyText(page)}`);
    assert.equal(new URL(page.url()).pathname, state.olgaPath, 'back on the conversation');
    const lines = page.locator('#conversation-lines .conversation-message.mine');
    assert.equal(await lines.count(), 2, await bodyText(page));
    assert.ok((await lines.last().innerText()).includes(ANSWER_WITHOUT_SCRIPT), await bodyText(page));
    // axe-core needs scripts: the same page was checked in the previous step.
  } finally {
    await context.close();
  }
  const olga = state.fed.actorUri(OLGA.identifier).href;
  const second = await waitFor('the answer sent without JavaScript in olga’s inbox', () =>
    receivedBy(OLGA.identifier, 'Create', (r) => r.actorId === teacherId()).find((r) =>
      JSON.stringify(r.json).includes(ANSWER_WITHOUT_SCRIPT),
    ),
  );
  const raw = JSON.parse(inboundCarrying(second.id, `/users/${OLGA.identifier}/inbox`).body);
  assert.deepEqual(raw.object.to, [olga]);
  assert.deepEqual(raw.object.tag, [{ type: 'Mention', href: olga, name: `@${handleOf(OLGA)}` }]);
});

step('Inès ignores paul: the request goes, and his later message stays hidden', async () => {
  const page = state.ines;
  const text = await answerRequest(PAUL, 'Ignorer', '/conversations');
  assert.ok(text.includes(`${PAUL.name} : demande ignorée, ses messages ne vous seront plus montrés.`), text);
  await checkedHere('just-ignored');
  assert.equal(await page.getByRole('heading', { name: /Demandes de message/ }).count(), 0, text);
  assert.equal(await page.locator('li.message-request').count(), 0, text);
  for (const line of PAUL_TEXTS) assert.ok(!text.includes(line), `paul's "${line}" shows: ${text}`);
  const listed = await listedConversations();
  assert.deepEqual(listed.map((l) => l.startsWith(OLGA.name)), [true], JSON.stringify(listed));
  await checked('/conversations', 'ignored');

  // paul writes again: applied by Préau's inbox before it answers, and hidden.
  await sendDirect(PAUL, PAUL_LATER);
  await goto(page, state.a, '/conversations');
  const later = await bodyText(page);
  assert.equal(await page.locator('li.message-request').count(), 0, `paul is asking again: ${later}`);
  assert.ok(!later.includes(PAUL_LATER), later);
  assert.deepEqual((await listedConversations()).map((l) => l.startsWith(OLGA.name)), [true]);
  const hidden = await goto(page, state.a, state.paulPath);
  assert.equal(hidden.status(), 404, `paul's conversation answered ${hidden.status()}`);
  assert.ok(!(await bodyText(page)).includes(PAUL_LATER), 'paul’s later message shows');
  await checkAccessibility(page, 'ignored conversation (not found)', state.axeFindings);
});
