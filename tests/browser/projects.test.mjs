// Browser end-to-end test: a project space shared by two instances.
//
// Instance A declares itself institutional (instance-config/institutional.toml);
// instance B is informal (instance-config/informal.toml). On A a teacher creates a
// project through the form (a bad short name is refused first, with its message),
// and invites the teacher of B by handle (the field is labelled and offers the known
// teachers). On B the teacher opens "Mes demandes", sees the invitation with the
// project's trust label and clicks "Accepter"; A then shows the invitation accepted,
// in "Mes demandes" and in the members list (role, instance and label of each
// member). B's teacher shares a document (a file chosen in the file input), A's
// teacher adds an event; each downloads the document (same bytes as uploaded) and
// sees the event, on the project page and in /agenda. In the project's forum A opens
// a thread, B replies, both see both. A third teacher on B, not a member, sees none
// of it. axe-core checks every page visited.
//
// Real parts only: two `preau serve` child processes on loopback, accounts made with
// the `preau admin create-user` CLI, Debian's Chromium driven by playwright-core.
// Nothing leaves 127.0.0.1.
//
// Run with `bash tests/browser/run.sh` from the repository root (see that file for
// the environment variables).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import dns from 'node:dns';
import path from 'node:path';

import { chromium } from 'playwright-core';
import {
  ARTIFACTS,
  alertTexts,
  allLogTails,
  bodyText,
  checkAccessibility,
  clickAndWaitForPage,
  createUser,
  expectNoAlert,
  formWith,
  goto,
  launchChromium,
  logIn,
  newInstance,
  newPages,
  prepareInstance,
  reloadUntil,
  setUp,
  squash,
  startServer,
  stepper,
  submitForm,
  tearDown,
  frenchDay,
} from './lib.mjs';

// "localhost" must reach the servers, which listen on 127.0.0.1 only.
dns.setDefaultResultOrder('ipv4first');


const STEP_TIMEOUT_MS = 90_000;
const FEDERATION_TIMEOUT_MS = 30_000;

const ANNE = { name: 'amartin', email: 'anne.martin@ac-rennes.fr', password: 'Craie-blanche-2024!' };
const BEA = { name: 'bdurand', email: 'bea.durand@profs.example', password: 'Tableau-noir-2024!' };
const CARL = { name: 'cpetit', email: 'carl.petit@profs.example', password: 'Cahier-bleu-2024!' };

const BAD_NAME = 'Éco délégués';
const PROJECT_NAME = 'eco_delegues';
const PROJECT_TITLE = 'Éco-délégués en réseau';
const PROJECT_DESCRIPTION = 'Un projet **inter-académique** entre éco-délégués de collège.';
const PROJECT_SUBJECTS = 'SVT, Géographie';

const DOCUMENT_NAME = 'programme-eco-delegues.pdf';
// Not text: bytes that a wrong encoding or a truncation would change.
const DOCUMENT_BYTES = Buffer.concat([Buffer.from('%PDF-1.4\n% projet éco-délégués\n'), randomBytes(6_000), Buffer.from('\n%%EOF\n')]);

const EVENT_YEAR = new Date().getUTCFullYear() + 1;
const EVENT = {
  title: 'Réunion de lancement',
  starts: `${EVENT_YEAR}-03-16T14:00`,
  ends: `${EVENT_YEAR}-03-16T15:30`,
  location: 'CDI du collège Anne-de-Bretagne',
  meetingUrl: 'https://visio.example.org/eco-delegues',
};
// Entered and shown in the instances' default zone, Europe/Paris, as
// people write dates (src/dates.rs).
const EVENT_DAY = frenchDay(new Date(Date.UTC(EVENT_YEAR, 2, 16, 12)));
const EVENT_WHEN = `le ${EVENT_DAY}, de 14 h à 15 h 30`;

const THREAD_TITLE = 'Calendrier des rencontres';
const THREAD_STRONG = 'mardi';
const THREAD_BODY = `Je propose le **${THREAD_STRONG}** après-midi, une semaine sur deux.`;
const REPLY_TEXT = 'Le mardi nous va très bien';
const REPLY_BODY = `${REPLY_TEXT}, à partir de 14 h.`;

// What the pages must say (locales/fr/main.ftl).
const LABEL_A_OWN = 'Institutionnel · Académie de Rennes';
const LABEL_INFORMAL = 'Informel — n’engage que son auteur';
const CLAIM_INSTITUTIONAL = 'se déclare institutionnel (non vérifié)';

// ---------------------------------------------------------------------------
// Shared state
// ---------------------------------------------------------------------------
const state = {
  a: newInstance('A', 'declares institutional'),
  b: newInstance('B', 'informal'),
  browser: null,
  pages: {}, // amartin on A, bdurand and cpetit on B
  failed: false,
  axeFindings: [],
  dialogs: [],
  threadPathA: null,
  threadPathB: null,
  documentPathB: null, // /projects/NAME@HOST/documents/ID on B
};
const INSTANCES = () => [state.a, state.b];

const handleOf = (user, inst) => `${user.name}@${inst.domain}`;
const projectPathA = (section = '') => `/projects/${PROJECT_NAME}${section && `/${section}`}`;
const projectPathB = (section = '') => `/projects/${PROJECT_NAME}@${state.a.domain}${section && `/${section}`}`;
// The project's sections, in the order of its tab bar (French labels).
const SECTIONS = [
  ['', 'Présentation'],
  ['forum', 'Forum'],
  ['documents', 'Documents'],
  ['agenda', 'Agenda'],
  ['members', 'Membres'],
  ['activity', 'Activité'],
];

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------
function waitFor(page, inst, pathname, predicate) {
  return reloadUntil(page, inst, pathname, predicate, { timeoutMs: FEDERATION_TIMEOUT_MS, instances: INSTANCES() });
}

async function axe(page, label) {
  await checkAccessibility(page, label, state.axeFindings);
}

/** The confirmation message shown once after an action (base.html's `flash`). */
async function flashText(page) {
  const flash = page.locator('main .flash[role=status]');
  return (await flash.count()) ? squash(await flash.innerText()) : null;
}

/** The project's tab bar: each tab's label and whether it is the current page. */
async function tabs(page) {
  return page.locator('main nav.tabs a').evaluateAll((links) =>
    links.map((a) => ({ label: a.textContent.trim(), path: decodeURIComponent(new URL(a.href).pathname), current: a.getAttribute('aria-current') === 'page' })),
  );
}

/** Clicks the tab `label` of the project's tab bar. */
async function openTab(page, label) {
  return clickAndWaitForPage(page, page.locator('main nav.tabs').getByRole('link', { name: label, exact: true }));
}

/** The members-list entry of `handle` on the current project page. */
function memberEntry(page, handle) {
  return page.locator(`section[aria-labelledby=members-heading] li.member[data-member="${handle}"]`);
}

/** Role, handle and trust words of a member entry. */
async function readMember(entry, what) {
  assert.equal(await entry.count(), 1, `${what}: expected one entry in the members list`);
  const trust = entry.locator('.trust');
  assert.equal(await trust.count(), 1, `${what}: the entry should carry a trust label`);
  const claim = entry.locator('.trust-claim');
  return {
    role: squash(await entry.locator('.member-role').innerText()),
    handle: squash(await entry.locator('.handle').innerText()),
    trust: squash(await trust.innerText()),
    claim: (await claim.count()) ? squash(await claim.innerText()) : null,
  };
}

/** Clicks a download link and returns the bytes the browser saved. */
async function download(page, link) {
  const [saved] = await Promise.all([page.waitForEvent('download', { timeout: 15_000 }), link.click()]);
  const failure = await saved.failure();
  assert.equal(failure, null, `the download of ${saved.url()} failed: ${failure}`);
  return { name: saved.suggestedFilename(), bytes: await readFile(await saved.path()) };
}

/** The submit button of `form` whose accessible name starts with `name`. */
function button(form, name) {
  return form.getByRole('button', { name: new RegExp(`^${name}`) });
}

const step = stepper(state, {
  prefix: 'projects',
  timeoutMs: STEP_TIMEOUT_MS,
  pages: () => Object.entries(state.pages),
});

// ---------------------------------------------------------------------------
// Set-up and tear-down
// ---------------------------------------------------------------------------
setUp(state, async () => {
  await prepareInstance(state.a, { config: 'instance-config/institutional.toml', prefix: 'preau-browser-projects' });
  await prepareInstance(state.b, { config: 'instance-config/informal.toml', prefix: 'preau-browser-projects' });
  await Promise.all(INSTANCES().map(startServer));
  await createUser(state.a, ANNE);
  await createUser(state.b, BEA);
  await createUser(state.b, CARL);
  state.browser = await launchChromium(chromium);
  // One context per person: session cookies are bound to "localhost" whatever the port.
  const pages = await newPages(state.browser, 3, state.dialogs);
  [ANNE, BEA, CARL].forEach((user, i) => {
    state.pages[user.name] = pages[i];
  });
});

tearDown(state, {
  prefix: 'projects',
  instances: INSTANCES,
  cleanUp: async () => {
    const serious = state.axeFindings.filter((f) => f.serious > 0).length;
    console.log(`axe: ${state.axeFindings.length} page checks, ${serious} with serious or critical violations`);
  },
});

// ---------------------------------------------------------------------------
// Scenario
// ---------------------------------------------------------------------------
step('A: the teacher creates a project through the form; a bad short name is refused first', async () => {
  const page = state.pages[ANNE.name];
  await logIn(page, state.a, ANNE);
  const list = await goto(page, state.a, '/projects');
  assert.equal(list.status(), 200, `GET ${state.a.base}/projects answered ${list.status()}`);
  assert.match((await page.locator('html').getAttribute('lang')) ?? '', /^fr\b/i, '<html lang> on /projects should be "fr"');
  await axe(page, 'projects list (A, none yet)');

  await clickAndWaitForPage(page, page.getByRole('link', { name: 'Créer un projet' }));
  assert.equal(new URL(page.url()).pathname, '/projects/new', `"Créer un projet" should lead to /projects/new, led to ${page.url()}`);
  assert.equal(squash(await page.locator('h1').innerText()), 'Créer un projet');
  await axe(page, 'project form (A, empty)');

  // Every field is found by its label.
  const fill = async (label, value) => page.getByLabel(label, { exact: true }).fill(value);
  await fill('Nom court', BAD_NAME);
  await fill('Titre', PROJECT_TITLE);
  await fill('Description (Markdown)', PROJECT_DESCRIPTION);
  await fill('Matières enseignées', PROJECT_SUBJECTS);
  await page.getByRole('group', { name: 'Niveaux' }).getByLabel('Collège (cycles 3 et 4)', { exact: true }).check();
  await page.getByLabel('Adhésion', { exact: true }).selectOption('invite');
  const form = formWith(page, 'title').filter({ has: page.locator('input[name=name]') });
  assert.equal(await form.count(), 1, `no project form on ${page.url()}`);

  const refused = await submitForm(page, form);
  assert.equal(refused.status(), 422, `a bad short name should be refused with 422, got ${refused.status()}`);
  assert.equal(new URL(page.url()).pathname, '/projects', 'the refused form is shown again where it was posted');
  const alerts = await alertTexts(page);
  assert.equal(alerts.length, 1, `one alert should explain the refusal; found: ${alerts.join(' | ')}`);
  assert.match(alerts[0], /^Nom court invalide/, `the alert should explain the short name rule: ${alerts[0]}`);
  // What was typed is kept, so only the name needs fixing.
  assert.equal(await page.getByLabel('Nom court', { exact: true }).inputValue(), BAD_NAME);
  assert.equal(await page.getByLabel('Titre', { exact: true }).inputValue(), PROJECT_TITLE);
  assert.equal((await page.getByLabel('Description (Markdown)').inputValue()).replace(/\r\n/g, '\n'), PROJECT_DESCRIPTION);
  assert.ok(await page.getByLabel('Collège (cycles 3 et 4)', { exact: true }).isChecked(), 'the refused form keeps the levels');
  assert.equal(await page.getByLabel('Adhésion', { exact: true }).inputValue(), 'invite', 'the refused form keeps the join mode');
  await axe(page, 'project form (A, validation error)');

  await fill('Nom court', PROJECT_NAME);
  const created = await submitForm(page, formWith(page, 'title').filter({ has: page.locator('input[name=name]') }));
  assert.ok(created.status() < 400, `creating the project answered ${created.status()} at ${page.url()}:\n${await bodyText(page)}`);
  await expectNoAlert(page, 'creating the project');
  assert.equal(new URL(page.url()).pathname, projectPathA(), `after creating, the browser should be on ${projectPathA()}, is on ${page.url()}`);
  assert.equal(squash(await page.locator('h1').innerText()), PROJECT_TITLE);
  assert.equal(await flashText(page), `Projet « ${PROJECT_TITLE} » créé.`, 'creating the project says so');
  // The tab bar: every section for a member, the about section current.
  assert.deepEqual(
    await tabs(page),
    SECTIONS.map(([section, label]) => ({ label, path: projectPathA(section), current: section === '' })),
    'the owner gets every section, "Présentation" current',
  );
  const text = await bodyText(page);
  assert.ok(text.includes(`${PROJECT_NAME}@${state.a.domain}`), `the project page should show its handle:\n${text}`);
  assert.ok(text.includes('Sur invitation'), `the project page should show its join mode:\n${text}`);
  assert.ok((await page.locator('.forum-description strong', { hasText: 'inter-académique' }).count()) > 0, 'the description is rendered Markdown');
  assert.equal(squash(await page.locator('main > .post-trust .trust').innerText()), LABEL_A_OWN, 'the project carries A\'s own label');
  await axe(page, 'project page (A, new project)');
  await page.reload();
  assert.equal(await flashText(page), null, 'the confirmation shows once, not after a reload');
  await openTab(page, 'Membres');
  assert.equal(new URL(page.url()).pathname, projectPathA('members'));
  assert.equal(await page.locator('main nav.tabs a[aria-current=page]').innerText(), 'Membres');
  const owner = await readMember(memberEntry(page, handleOf(ANNE, state.a)), 'the creator');
  assert.equal(owner.role, 'Propriétaire', 'the creator is the owner');
  await axe(page, 'project members (A, new project)');
  await openTab(page, 'Présentation');
});

step('A: the teacher invites the teacher of B by handle, with a labelled field', async () => {
  const page = state.pages[ANNE.name];
  const field = page.getByLabel('Inviter un·e enseignant·e', { exact: true });
  assert.equal(await field.count(), 1, `the invite field should be labelled "Inviter un·e enseignant·e" on ${page.url()}`);
  assert.equal(await field.getAttribute('name'), 'handle');
  const description = await field.evaluate((el) =>
    (el.getAttribute('aria-describedby') ?? '').split(/\s+/).map((id) => document.getElementById(id)?.textContent ?? '').join(' '),
  );
  assert.match(description, /nom@instance/, `the invite field should be described by its help text, is described by: ${description}`);
  // The datalist of known teachers: attached to the field, each suggestion a handle with a name.
  const options = await field.evaluate((el) =>
    el.list ? [...el.list.options].map((o) => ({ value: o.value, label: o.label, text: o.textContent.trim() })) : null,
  );
  assert.ok(options, 'the invite field should be attached to a <datalist> (list attribute)');
  assert.ok(options.length > 0, 'the datalist should offer the known teachers');
  for (const option of options) {
    assert.match(option.value, /^[a-z0-9_]+@localhost:\d+$/, `a suggestion should be a handle: ${JSON.stringify(option)}`);
    assert.ok(option.text.length > 0 && option.label !== option.value, `each suggestion should carry a name besides its handle: ${JSON.stringify(option)}`);
  }
  assert.ok(options.some((o) => o.value === handleOf(ANNE, state.a)), `the datalist should list the teachers A knows: ${JSON.stringify(options)}`);

  await field.fill(handleOf(BEA, state.b));
  const invited = await clickAndWaitForPage(page, page.getByRole('button', { name: 'Inviter', exact: true }));
  assert.ok(invited.status() < 400, `inviting answered ${invited.status()} at ${page.url()}:\n${await bodyText(page)}`);
  await expectNoAlert(page, 'inviting the teacher of B');
  assert.equal(new URL(page.url()).pathname, projectPathA(), 'the invitation comes back to its section');
  assert.equal(await flashText(page), `Invitation envoyée à ${handleOf(BEA, state.b)}.`);
  await openTab(page, 'Membres');
  const pending = page.locator(`section[aria-labelledby=pending-heading] li.member[data-member="${handleOf(BEA, state.b)}"]`);
  assert.equal(await pending.count(), 1, `the invitation should be listed as pending:\n${await bodyText(page)}`);
  assert.ok(squash(await pending.innerText()).includes('Invitation en attente'), 'the pending entry says "Invitation en attente"');
  // B's teacher is known now, so the field suggests them.
  const values = await page.locator('#known-teachers option').evaluateAll((els) => els.map((o) => o.value));
  assert.ok(values.includes(handleOf(BEA, state.b)), `once met, B's teacher should be suggested: ${values.join(', ')}`);
  await axe(page, 'project page (A, invitation pending)');

  await clickAndWaitForPage(page, page.getByRole('link', { name: 'Mes demandes' }));
  assert.equal(new URL(page.url()).pathname, '/requests');
  const sent = page.locator(`li.sent-invitation[data-member="${handleOf(BEA, state.b)}"]`);
  assert.equal(await sent.count(), 1, `A's "Mes demandes" should list the sent invitation:\n${await bodyText(page)}`);
  assert.equal(squash(await sent.locator('.invitation-state').innerText()), 'Invitation en attente');
  await axe(page, 'requests (A, invitation sent)');
});

step('B: the teacher sees the invitation in "Mes demandes", with the project\'s label, and accepts', async () => {
  const page = state.pages[BEA.name];
  await logIn(page, state.b, BEA);
  await clickAndWaitForPage(page, page.getByRole('link', { name: 'Mes demandes' }));
  assert.equal(new URL(page.url()).pathname, '/requests');
  const invitation = () => page.locator('li.invitation', { hasText: PROJECT_TITLE });
  const arrived = await waitFor(page, state.b, '/requests', async () => (await invitation().count()) === 1);
  assert.ok(arrived, `the invitation did not reach B's "Mes demandes" within ${FEDERATION_TIMEOUT_MS} ms:\n${await bodyText(page)}\n${allLogTails(INSTANCES(), 40)}`);
  const entry = invitation();
  assert.equal(await entry.locator(`a[href="${projectPathB()}"]`).count(), 1, `the invitation should link to ${projectPathB()}`);
  // B cannot verify A's declaration: the label says informal, and notes the claim.
  assert.equal(squash(await entry.locator('.trust').innerText()), LABEL_INFORMAL, 'the project\'s label as B sees it');
  assert.equal(squash(await entry.locator('.trust-claim').innerText()), CLAIM_INSTITUTIONAL, 'the label notes A\'s unverified claim');
  assert.ok(squash(await entry.innerText()).includes(`invité·e par ${ANNE.name}`), 'the invitation names who sent it');
  // Each answer button names what it answers, for a list of several invitations.
  for (const verb of ['Accepter', 'Refuser']) {
    assert.equal(
      await entry.getByRole('button', { name: `${verb} l’invitation au projet « ${PROJECT_TITLE} »`, exact: true }).count(),
      1,
      `the "${verb}" button should be named after the invitation it answers`,
    );
  }
  await axe(page, 'requests (B, invitation)');

  // The project page, seen while invited: the invitation and the public parts only.
  await clickAndWaitForPage(page, entry.getByRole('link', { name: PROJECT_TITLE }));
  assert.equal(decodeURIComponent(new URL(page.url()).pathname), projectPathB());
  const notice = page.getByRole('region', { name: 'Vous êtes invité·e à rejoindre ce projet' });
  assert.equal(await notice.count(), 1, `B's project page should show the invitation:\n${await bodyText(page)}`);
  assert.deepEqual((await tabs(page)).map((t) => t.label), ['Présentation', 'Membres', 'Activité'], 'no members\' sections before accepting');
  await axe(page, 'project page (B, invited)');
  await clickAndWaitForPage(page, page.getByRole('link', { name: 'Mes demandes' }));

  const accepted = await clickAndWaitForPage(page, button(invitation(), 'Accepter'));
  assert.ok(accepted.status() < 400, `accepting answered ${accepted.status()} at ${page.url()}:\n${await bodyText(page)}`);
  await expectNoAlert(page, 'accepting the invitation');
  assert.equal(new URL(page.url()).pathname, '/requests', 'accepting from "Mes demandes" comes back to it');
  assert.equal(await invitation().count(), 0, 'the answered invitation leaves the list');
  assert.ok((await bodyText(page)).includes('Aucune invitation en attente.'));
  await axe(page, 'requests (B, invitation answered)');

  const member = await waitFor(page, state.b, projectPathB(), async (p) => (await tabs(p)).length === SECTIONS.length);
  assert.ok(member, `B's project page did not open the members' sections within ${FEDERATION_TIMEOUT_MS} ms:\n${await bodyText(page)}`);
  await axe(page, 'project page (B, new member)');

  await clickAndWaitForPage(page, page.getByRole('link', { name: 'Projets', exact: true }));
  const mine = page.locator('section[aria-labelledby=mine-heading] li', { hasText: PROJECT_TITLE });
  assert.equal(await mine.count(), 1, `B's /projects should list the project under "Mes projets":\n${await bodyText(page)}`);
  assert.ok(squash(await mine.innerText()).includes('Membre'), 'with the teacher\'s role');
  await axe(page, 'projects list (B, member)');
});

step('A: the invitation shows accepted, and the members list gives role, instance and label', async () => {
  const page = state.pages[ANNE.name];
  const sent = () => page.locator(`li.sent-invitation[data-member="${handleOf(BEA, state.b)}"] .invitation-state`);
  const accepted = await waitFor(page, state.a, '/requests', async () =>
    (await sent().count()) === 1 && squash(await sent().innerText()) === 'Invitation acceptée',
  );
  assert.ok(accepted, `A's "Mes demandes" did not show "Invitation acceptée" within ${FEDERATION_TIMEOUT_MS} ms:\n${await bodyText(page)}\n${allLogTails(INSTANCES(), 40)}`);
  await axe(page, 'requests (A, invitation accepted)');

  await goto(page, state.a, projectPathA('members'));
  const anne = await readMember(memberEntry(page, handleOf(ANNE, state.a)), 'A\'s teacher on A');
  assert.deepEqual(anne, { role: 'Propriétaire', handle: handleOf(ANNE, state.a), trust: LABEL_A_OWN, claim: null });
  const bea = await readMember(memberEntry(page, handleOf(BEA, state.b)), 'B\'s teacher on A');
  assert.deepEqual(bea, { role: 'Membre', handle: handleOf(BEA, state.b), trust: LABEL_INFORMAL, claim: null });
  assert.equal(
    await page.locator(`section[aria-labelledby=pending-heading] li.member[data-member="${handleOf(BEA, state.b)}"]`).count(),
    0,
    'the accepted invitation is no longer pending',
  );
  await axe(page, 'project page (A, two members)');

  // B mirrors the same list, with the labels as B sees them.
  const pageB = state.pages[BEA.name];
  const mirrored = await waitFor(pageB, state.b, projectPathB('members'), async (p) =>
    (await memberEntry(p, handleOf(ANNE, state.a)).count()) === 1 && (await memberEntry(p, handleOf(BEA, state.b)).count()) === 1,
  );
  assert.ok(mirrored, `B's members list did not show both members within ${FEDERATION_TIMEOUT_MS} ms:\n${await bodyText(pageB)}`);
  const anneOnB = await readMember(memberEntry(pageB, handleOf(ANNE, state.a)), 'A\'s teacher on B');
  assert.deepEqual(anneOnB, { role: 'Propriétaire', handle: handleOf(ANNE, state.a), trust: LABEL_INFORMAL, claim: CLAIM_INSTITUTIONAL });
  const beaOnB = await readMember(memberEntry(pageB, handleOf(BEA, state.b)), 'B\'s teacher on B');
  assert.equal(beaOnB.role, 'Membre');
  assert.equal(beaOnB.trust, LABEL_INFORMAL);
  await axe(pageB, 'project page (B, two members)');
});

step('B: the teacher shares a document chosen in the file input', async () => {
  const page = state.pages[BEA.name];
  await goto(page, state.b, projectPathB());
  await openTab(page, 'Documents');
  const input = page.getByLabel('Document à partager', { exact: true });
  assert.equal(await input.count(), 1, 'the file input should be labelled "Document à partager"');
  await input.setInputFiles({ name: DOCUMENT_NAME, mimeType: 'application/pdf', buffer: DOCUMENT_BYTES });
  const form = page.locator('form', { has: input });
  const shared = await clickAndWaitForPage(page, form.getByRole('button', { name: 'Partager', exact: true }));
  assert.ok(shared.status() < 400, `sharing answered ${shared.status()} at ${page.url()}:\n${await bodyText(page)}`);
  await expectNoAlert(page, 'sharing the document');
  const url = new URL(page.url());
  assert.equal(decodeURIComponent(url.pathname), projectPathB('documents'), 'after sharing, the documents section');
  assert.equal(await flashText(page), `Document « ${DOCUMENT_NAME} » partagé.`);
  const link = page.locator('li.document').getByRole('link', { name: `Version 1 : ${DOCUMENT_NAME}` });
  assert.equal(await link.count(), 1, `the shared document should be listed with its first version:\n${await bodyText(page)}`);
  state.documentPathB = await link.getAttribute('href');
  assert.match(state.documentPathB ?? '', /\/documents\/\d+$/);
  await axe(page, 'project page (B, document shared)');

  const saved = await download(page, link);
  assert.equal(saved.name, DOCUMENT_NAME);
  assert.ok(saved.bytes.equals(DOCUMENT_BYTES), `the download on B should give back the ${DOCUMENT_BYTES.length} bytes shared, got ${saved.bytes.length}`);
});

step('Both: the document is listed under its file name', async () => {
    for (const [user, inst, pathname] of [[BEA, state.b, projectPathB('documents')], [ANNE, state.a, projectPathA('documents')]]) {
      const page = state.pages[user.name];
      const listed = await waitFor(page, inst, pathname, async (p) => (await p.locator('li.document').count()) === 1);
      assert.ok(listed, `${inst.label} should list the document`);
      assert.equal(squash(await page.locator('li.document h3').innerText()), DOCUMENT_NAME, `${inst.label}: the document's heading`);
      assert.equal(
        await page.getByLabel(`Nouvelle version de « ${DOCUMENT_NAME} »`, { exact: true }).count(),
        1,
        `${inst.label}: the new-version field names the document`,
      );
    }
});

step('A: the teacher adds an event for every member', async () => {
  const page = state.pages[ANNE.name];
  await goto(page, state.a, projectPathA('agenda'));
  const agenda = page.locator('section#agenda');
  await agenda.getByLabel('Titre de l’événement', { exact: true }).fill(EVENT.title);
  await agenda.getByLabel('Début', { exact: true }).fill(EVENT.starts);
  await agenda.getByLabel('Fin', { exact: true }).fill(EVENT.ends);
  await agenda.getByLabel('Lieu', { exact: true }).fill(EVENT.location);
  await agenda.getByLabel('Lien de visioconférence', { exact: true }).fill(EVENT.meetingUrl);
  // The audience: one labelled checkbox per member, none ticked for everyone.
  const audience = agenda.getByRole('group', { name: 'Pour qui ?' });
  for (const [user, inst] of [[ANNE, state.a], [BEA, state.b]]) {
    const box = audience.getByRole('checkbox', { name: `${user.name} (${handleOf(user, inst)})` });
    assert.equal(await box.count(), 1, `the audience should offer ${handleOf(user, inst)}, labelled`);
    assert.ok(!(await box.isChecked()));
  }
  const added = await clickAndWaitForPage(page, agenda.getByRole('button', { name: 'Ajouter à l’agenda' }));
  assert.ok(added.status() < 400, `adding the event answered ${added.status()} at ${page.url()}:\n${await bodyText(page)}`);
  await expectNoAlert(page, 'adding the event');
  assert.equal(new URL(page.url()).pathname, projectPathA('agenda'));
  assert.equal(await flashText(page), `« ${EVENT.title} » ajouté à l’agenda.`);
  const event = page.locator('section#agenda li.event', { has: page.locator('h3', { hasText: EVENT.title }) });
  assert.equal(await event.count(), 1, `the event should be listed:\n${await bodyText(page)}`);
  const text = squash(await event.innerText());
  assert.ok(text.includes(`${EVENT_WHEN} · ${EVENT.location}`), `the event should give its times and place: ${text}`);
  assert.ok(text.includes(`Pour tous les membres · ajouté par ${ANNE.name}`), `the event should say who it is for: ${text}`);
  assert.equal(await event.getByRole('link', { name: 'Lien de la réunion' }).getAttribute('href'), EVENT.meetingUrl);
  await axe(page, 'project page (A, event added)');
});

step('A: the document shared on B downloads with the same bytes, and /agenda shows the event', async () => {
  const page = state.pages[ANNE.name];
  const link = () => page.getByRole('link', { name: `Version 1 : ${DOCUMENT_NAME}` });
  const arrived = await waitFor(page, state.a, projectPathA('documents'), async () => (await link().count()) === 1);
  assert.ok(arrived, `the document did not reach A within ${FEDERATION_TIMEOUT_MS} ms:\n${await bodyText(page)}\n${allLogTails(INSTANCES(), 40)}`);
  const meta = squash(await page.locator('li.document', { hasText: DOCUMENT_NAME }).locator('.meta').innerText());
  assert.ok(meta.includes(`partagé par ${BEA.name} (${state.b.domain})`), `the document should name who shared it and where: ${meta}`);
  await axe(page, 'project page (A, with the document from B)');
  const saved = await download(page, link());
  assert.equal(saved.name, DOCUMENT_NAME);
  assert.ok(saved.bytes.equals(DOCUMENT_BYTES), `the download on A (read from B) should give the ${DOCUMENT_BYTES.length} bytes shared, got ${saved.bytes.length}`);

  await clickAndWaitForPage(page, page.locator('.site-header').getByRole('link', { name: 'Agenda', exact: true }));
  assert.equal(new URL(page.url()).pathname, '/agenda');
  const upcoming = page.locator('section[aria-labelledby=upcoming-heading] li.event', { hasText: EVENT.title });
  assert.equal(await upcoming.count(), 1, `A's agenda should list the event as upcoming:\n${await bodyText(page)}`);
  assert.equal(await upcoming.getByRole('link', { name: PROJECT_TITLE }).getAttribute('href'), projectPathA('agenda'));
  await axe(page, 'agenda (A)');
});

step('B: the event added on A shows on the project page and in /agenda', async () => {
  const page = state.pages[BEA.name];
  const event = () => page.locator('section#agenda li.event', { has: page.locator('h3', { hasText: EVENT.title }) });
  const arrived = await waitFor(page, state.b, projectPathB('agenda'), async () => (await event().count()) === 1);
  assert.ok(arrived, `the event did not reach B within ${FEDERATION_TIMEOUT_MS} ms:\n${await bodyText(page)}\n${allLogTails(INSTANCES(), 40)}`);
  const text = squash(await event().innerText());
  assert.ok(text.includes(`${EVENT_WHEN} · ${EVENT.location}`), `B shows the event's times and place: ${text}`);
  assert.ok(text.includes('Pour tous les membres'), `B shows who the event is for: ${text}`);
  await axe(page, 'project page (B, with the event from A)');

  await clickAndWaitForPage(page, page.locator('.site-header').getByRole('link', { name: 'Agenda', exact: true }));
  const upcoming = page.locator('section[aria-labelledby=upcoming-heading] li.event', { hasText: EVENT.title });
  assert.equal(await upcoming.count(), 1, `B's agenda should list the event:\n${await bodyText(page)}`);
  assert.equal(decodeURIComponent(await upcoming.getByRole('link', { name: PROJECT_TITLE }).getAttribute('href')), projectPathB('agenda'));
  await axe(page, 'agenda (B)');
});

step('Forum: A opens a thread, B replies, both see both', async () => {
  const pageA = state.pages[ANNE.name];
  await goto(pageA, state.a, projectPathA('forum'));
  const forum = pageA.locator('section#forum');
  await forum.getByLabel('Titre du fil', { exact: true }).fill(THREAD_TITLE);
  await forum.getByLabel('Message (Markdown)', { exact: true }).fill(THREAD_BODY);
  const opened = await clickAndWaitForPage(pageA, forum.getByRole('button', { name: 'Ouvrir la discussion' }));
  assert.ok(opened.status() < 400, `opening the thread answered ${opened.status()} at ${pageA.url()}:\n${await bodyText(pageA)}`);
  await expectNoAlert(pageA, 'opening the thread');
  state.threadPathA = new URL(pageA.url()).pathname;
  assert.match(state.threadPathA, new RegExp(`^${projectPathA()}/threads/\\d+$`));
  assert.equal(squash(await pageA.locator('h1').innerText()), THREAD_TITLE);
  assert.equal(await flashText(pageA), `Discussion « ${THREAD_TITLE} » ouverte.`);
  assert.equal(await pageA.locator('article.post:not(.reply) strong', { hasText: THREAD_STRONG }).count(), 1, 'the thread body is rendered Markdown');
  await axe(pageA, 'project thread (A, new)');

  const pageB = state.pages[BEA.name];
  const listed = () => pageB.locator('section#forum .thread-list a', { hasText: THREAD_TITLE });
  const arrived = await waitFor(pageB, state.b, projectPathB('forum'), async () => (await listed().count()) === 1);
  assert.ok(arrived, `the thread did not reach B within ${FEDERATION_TIMEOUT_MS} ms:\n${await bodyText(pageB)}\n${allLogTails(INSTANCES(), 40)}`);
  await clickAndWaitForPage(pageB, listed());
  state.threadPathB = decodeURIComponent(new URL(pageB.url()).pathname);
  assert.match(state.threadPathB, /\/threads\/\d+$/);
  assert.ok(state.threadPathB.startsWith(`${projectPathB()}/threads/`), `B's thread page should be under ${projectPathB()}: ${state.threadPathB}`);
  assert.equal(squash(await pageB.locator('h1').innerText()), THREAD_TITLE);
  const threadOnB = squash(await pageB.locator('article.post:not(.reply)').innerText());
  assert.ok(threadOnB.includes(handleOf(ANNE, state.a)), `B's thread page names its author with her instance: ${threadOnB}`);
  await axe(pageB, 'project thread (B, from A)');

  await pageB.getByLabel('Votre réponse (Markdown)', { exact: true }).fill(REPLY_BODY);
  const replied = await clickAndWaitForPage(pageB, pageB.getByRole('button', { name: 'Répondre', exact: true }));
  assert.ok(replied.status() < 400, `replying answered ${replied.status()} at ${pageB.url()}:\n${await bodyText(pageB)}`);
  await expectNoAlert(pageB, 'replying');
  assert.equal(decodeURIComponent(new URL(pageB.url()).pathname), state.threadPathB);
  assert.equal(await pageB.locator('article.post.reply', { hasText: REPLY_TEXT }).count(), 1, 'B shows its reply once');
  assert.equal(await pageB.locator('article.post:not(.reply) strong', { hasText: THREAD_STRONG }).count(), 1, 'B still shows the thread');
  await axe(pageB, 'project thread (B, after replying)');

  const reply = () => pageA.locator('article.post.reply', { hasText: REPLY_TEXT });
  const back = await waitFor(pageA, state.a, state.threadPathA, async () => (await reply().count()) === 1);
  assert.ok(back, `B's reply did not reach A within ${FEDERATION_TIMEOUT_MS} ms:\n${await bodyText(pageA)}\n${allLogTails(INSTANCES(), 40)}`);
  const replyText = squash(await reply().innerText());
  assert.ok(replyText.includes(handleOf(BEA, state.b)), `the reply on A names its author with her instance: ${replyText}`);
  assert.ok(replyText.includes(LABEL_INFORMAL), `the reply on A carries its author's label: ${replyText}`);
  assert.equal(await pageA.locator('article.post:not(.reply) strong', { hasText: THREAD_STRONG }).count(), 1, 'A still shows the thread');
  await axe(pageA, 'project thread (A, with the reply from B)');

  // The forum lists count the reply on both sides.
  for (const [page, inst, pathname] of [[pageA, state.a, projectPathA('forum')], [pageB, state.b, projectPathB('forum')]]) {
    const counted = await waitFor(page, inst, pathname, async (p) =>
      squash(await p.locator('section#forum .thread-list li', { hasText: THREAD_TITLE }).innerText()).includes('1 réponse'),
    );
    assert.ok(counted, `the forum list on ${inst.label} should count one reply:\n${await bodyText(page)}`);
  }
});

step('Both: every section of the project, filled, through its tab bar', async () => {
  const expected = { forum: THREAD_TITLE, documents: DOCUMENT_NAME, agenda: EVENT.title, members: handleOf(BEA, state.b), activity: `${ANNE.name} a invité ${BEA.name}` };
  for (const [user, inst, pathOf] of [[ANNE, state.a, projectPathA], [BEA, state.b, projectPathB]]) {
    const page = state.pages[user.name];
    await goto(page, inst, pathOf());
    for (const [section, label] of SECTIONS) {
      if (section) await openTab(page, label);
      assert.equal(decodeURIComponent(new URL(page.url()).pathname), pathOf(section), `the tab "${label}" leads to its own address`);
      const current = (await tabs(page)).filter((t) => t.current);
      assert.deepEqual(current.map((t) => t.label), [label], `one tab is current, "${label}"`);
      // The log is the host's: B shows what it mirrors, maybe nothing yet.
      if (expected[section] && (section !== 'activity' || inst === state.a)) {
        assert.ok((await bodyText(page)).includes(expected[section]), `${inst.label}'s ${label} should show "${expected[section]}":\n${await bodyText(page)}`);
      }
      // One h1, then h2 sections, h3 only inside them.
      const levels = await page.locator('main :is(h1, h2, h3, h4, h5, h6)').evaluateAll((els) => els.map((e) => Number(e.tagName[1])));
      assert.equal(levels[0], 1, `the page starts with its h1: ${levels.join(',')}`);
      assert.equal(levels.filter((l) => l === 1).length, 1, `one h1 only: ${levels.join(',')}`);
      levels.forEach((level, i) => assert.ok(i === 0 || level <= levels[i - 1] + 1, `no heading level skipped: ${levels.join(',')}`));
      await axe(page, `project ${label} (${inst.label}, filled)`);
      for (const width of [1280, 390]) {
        await page.setViewportSize({ width, height: 900 });
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 0, `${label} at ${width} px overflows by ${overflow} px`);
        await page.screenshot({ path: path.join(ARTIFACTS, `project-${inst.label.toLowerCase()}-${section || 'about'}-${width}.png`), fullPage: true });
      }
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  }
  assert.deepEqual(state.dialogs, [], 'no dialog may open');
});

step('B: the directory finds the project by its words, with its label; an unknown place is refused', async () => {
  const page = state.pages[BEA.name];
  await goto(page, state.b, '/directory');
  await axe(page, 'directory (B, empty form)');
  await page.getByLabel('Mots', { exact: true }).fill('délégués');
  await page.getByLabel('Des projets', { exact: true }).check();
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Rechercher' }).click()]);
  const result = page.getByRole('link', { name: PROJECT_TITLE, exact: true });
  assert.equal(await result.count(), 1, `the directory should list the project:\n${await bodyText(page)}`);
  assert.ok((await page.locator('main .trust').count()) >= 1, 'results carry trust labels');
  await axe(page, 'directory (B, results)');
  await page.getByLabel('Près de', { exact: true }).fill('Nulle-Part-sur-Mer');
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Rechercher' }).click()]);
  const text = await bodyText(page);
  assert.ok(text.includes('Lieu inconnu'), `an unknown place is refused with its reason:\n${text}`);
  assert.equal(await page.locator('#directory-place[aria-invalid=true]').count(), 1, 'the place field is marked invalid');
  await axe(page, 'directory (B, unknown place)');
});

step('B: a teacher who is not a member sees none of the content', async () => {
  const page = state.pages[CARL.name];
  await logIn(page, state.b, CARL);
  const response = await goto(page, state.b, projectPathB());
  assert.equal(response.status(), 200, `the public project page should open for a non-member, got ${response.status()}`);
  assert.equal(squash(await page.locator('h1').innerText()), PROJECT_TITLE);
  const text = await bodyText(page);
  for (const secret of [THREAD_TITLE, REPLY_TEXT, DOCUMENT_NAME, EVENT.title, EVENT.location]) {
    assert.ok(!text.includes(secret), `a non-member must not see "${secret}" on the project page:\n${text}`);
  }
  for (const section of ['#forum', '#documents', '#agenda']) {
    assert.equal(await page.locator(section).count(), 0, `a non-member gets no ${section} section`);
  }
  assert.deepEqual((await tabs(page)).map((t) => t.label), ['Présentation', 'Membres', 'Activité'], 'a non-member gets the public sections only');
  for (const section of ['forum', 'documents', 'agenda']) {
    const refused = await goto(page, state.b, projectPathB(section));
    assert.equal(refused.status(), 403, `a non-member opening ${section} should get 403, got ${refused.status()}`);
  }
  await goto(page, state.b, projectPathB());
  assert.equal(await page.locator('input[type=file], #invite-handle').count(), 0, 'a non-member gets no upload or invite field');
  assert.ok(text.includes('Ce projet n’accepte de nouveaux membres que sur invitation.'), `the page says how to join:\n${text}`);
  await axe(page, 'project page (B, non-member)');

  for (const pathname of [state.threadPathB, state.documentPathB]) {
    const refused = await goto(page, state.b, pathname);
    assert.equal(refused.status(), 403, `a non-member opening ${pathname} should get 403, got ${refused.status()}`);
    const refusedText = await bodyText(page);
    assert.ok(refusedText.includes('Réservé aux membres du projet.'), `the refusal should say why:\n${refusedText}`);
    for (const secret of [THREAD_TITLE, REPLY_TEXT]) {
      assert.ok(!refusedText.includes(secret), `the refusal must not show "${secret}"`);
    }
    await axe(page, `refusal (B, non-member, ${pathname.includes('/threads/') ? 'thread' : 'document'})`);
  }

  await goto(page, state.b, '/agenda');
  assert.ok(!(await bodyText(page)).includes(EVENT.title), 'the non-member\'s agenda must not list the event');
  assert.ok((await bodyText(page)).includes('Rien de prévu dans vos projets.'));
  await axe(page, 'agenda (B, non-member)');
  await goto(page, state.b, '/requests');
  assert.ok(!(await bodyText(page)).includes(PROJECT_TITLE), 'the non-member has no request about the project');
  await axe(page, 'requests (B, non-member)');
});

step('Confirmation steps: B cancels leaving; A removes B after a confirmation page, told once', async () => {
  const pageB = state.pages[BEA.name];
  await goto(pageB, state.b, projectPathB());
  const leave = pageB.getByRole('link', { name: 'Quitter le projet', exact: true });
  assert.equal(await leave.count(), 1, 'a member gets a "Quitter le projet" link');
  await clickAndWaitForPage(pageB, leave);
  assert.equal(decodeURIComponent(new URL(pageB.url()).pathname), projectPathB('leave'));
  assert.equal(squash(await pageB.locator('h1').innerText()), `Quitter « ${PROJECT_TITLE} » ?`);
  assert.equal(await pageB.locator('button.danger', { hasText: 'Quitter le projet' }).count(), 1, 'the confirmation is a red button');
  await axe(pageB, 'confirm leaving (B)');
  await clickAndWaitForPage(pageB, pageB.getByRole('link', { name: 'Annuler', exact: true }));
  assert.equal(decodeURIComponent(new URL(pageB.url()).pathname), projectPathB(), 'cancelling goes back to the project');
  assert.equal((await tabs(pageB)).length, SECTIONS.length, 'B is still a member');

  const page = state.pages[ANNE.name];
  await goto(page, state.a, projectPathA('members'));
  const entry = memberEntry(page, handleOf(BEA, state.b));
  const promote = entry.getByRole('button', { name: `Promouvoir ${BEA.name}` });
  const remove = entry.getByRole('link', { name: `Retirer ${BEA.name}` });
  assert.equal(await promote.count(), 1, 'the owner may promote B');
  assert.equal(await remove.count(), 1, 'the owner may remove B, through a link to a confirmation page');
  assert.ok(await remove.evaluate((el) => el.classList.contains('danger-link')), '"Retirer" is styled as a destructive action');
  const [promoteBox, removeBox] = [await promote.boundingBox(), await remove.boundingBox()];
  assert.ok(removeBox.x - (promoteBox.x + promoteBox.width) >= 16 || removeBox.y > promoteBox.y + promoteBox.height, '"Retirer" stands apart from "Promouvoir"');
  await clickAndWaitForPage(page, remove);
  assert.equal(squash(await page.locator('h1').innerText()), `Retirer ${BEA.name} du projet ?`);
  await axe(page, 'confirm removing a member (A)');
  const removed = await clickAndWaitForPage(page, page.locator('button.danger', { hasText: `Retirer ${BEA.name}` }));
  assert.ok(removed.status() < 400, `removing answered ${removed.status()}:\n${await bodyText(page)}`);
  assert.equal(new URL(page.url()).pathname, projectPathA('members'), 'back to the members section');
  assert.equal(await flashText(page), `${BEA.name} a été retiré·e du projet.`);
  assert.equal(await memberEntry(page, handleOf(BEA, state.b)).count(), 0, 'B is no longer listed');
  await axe(page, 'project members (A, after removing B)');
  await page.reload();
  assert.equal(await flashText(page), null, 'the confirmation message shows once');
});
