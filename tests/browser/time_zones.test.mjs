// Browser end-to-end test: dates as people write them, in the reader's time zone
// (issue 13). A teacher adds an agenda event at 18 h (entered in the instance's
// zone, Europe/Paris), sees "18 h" on the project page and on "Mon agenda", picks
// America/Martinique on /settings/profile and sees the same event at 13 h, with the
// zone it was entered in named beside it.
//
// One `preau serve` child process on loopback, the account made with the CLI,
// Debian's Chromium driven by playwright-core, axe-core on every page visited. At
// 390 px wide the agenda, the profile form and a thread must not scroll sideways.
// With PREAU_SHOTS_DIR set, screenshots at 1280 and 390 px go there.
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
  createForum,
  expectNoAlert,
  formWith,
  frenchDay,
  goto,
  logIn,
  oneInstance,
  postThread,
  squash,
  submitForm,
} from './lib.mjs';

dns.setDefaultResultOrder('ipv4first');

const CONFIG = 'instance-config/informal.toml';
const TEACHER = { name: 'jlucas', email: 'josette.lucas@profs.example', password: 'Craie-blanche-2024!' };
const PROJECT = { name: 'jardin_partage', title: 'Jardin partagé entre écoles' };
const YEAR = new Date().getUTCFullYear() + 1;
const DAY = frenchDay(new Date(Date.UTC(YEAR, 0, 12, 12)));
const EVENT = { title: 'Conseil de jardin', starts: `${YEAR}-01-12T18:00`, ends: `${YEAR}-01-12T19:30` };

const { state, step } = oneInstance(chromium, {
  prefix: 'time-zones',
  config: CONFIG,
  people: [{ key: 'page', label: 'teacher', user: TEACHER, admin: true }],
  extra: { threadPath: null },
});

/** The agenda entry of the event on "Mon agenda", squashed. */
async function agendaEntry(page) {
  await goto(page, state.a, '/agenda');
  const entry = page.locator('li.event', { hasText: EVENT.title });
  assert.equal(await entry.count(), 1, `the agenda lists the event:\n${await bodyText(page)}`);
  return { entry, text: squash(await entry.innerText()) };
}

step('the teacher opens a thread and a project with an event at 18 h', async () => {
  const page = state.page;
  await logIn(page, state.a, TEACHER);
  await createForum(page, state.a, { name: 'jardins', title: 'Jardins pédagogiques' });
  state.threadPath = await postThread(page, state.a, { title: 'Semis de printemps', body: 'Qui sème quoi en classe ?' });
  const published = page.locator('main time').first();
  assert.match((await published.getAttribute('datetime')) ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'the thread\'s date carries its UTC moment');

  await goto(page, state.a, '/projects/new');
  await page.getByLabel('Nom court', { exact: true }).fill(PROJECT.name);
  await page.getByLabel('Titre', { exact: true }).fill(PROJECT.title);
  const created = await submitForm(page, formWith(page, 'title').filter({ has: page.locator('input[name=name]') }));
  assert.ok(created.status() < 400, `creating the project answered ${created.status()}:\n${await bodyText(page)}`);
  await expectNoAlert(page, 'creating the project');

  await goto(page, state.a, `/projects/${PROJECT.name}/agenda`);
  const agenda = page.locator('section#agenda');
  assert.match(squash(await agenda.innerText()), /Heure de Paris \(le fuseau de votre profil\)/, 'the form says which zone times are read in');
  await agenda.getByLabel('Titre de l’événement', { exact: true }).fill(EVENT.title);
  await agenda.getByLabel('Début', { exact: true }).fill(EVENT.starts);
  await agenda.getByLabel('Fin', { exact: true }).fill(EVENT.ends);
  const added = await clickAndWaitForPage(page, agenda.getByRole('button', { name: 'Ajouter à l’agenda' }));
  assert.ok(added.status() < 400, `adding the event answered ${added.status()}:\n${await bodyText(page)}`);
  await expectNoAlert(page, 'adding the event');
  const event = page.locator('section#agenda li.event', { hasText: EVENT.title });
  assert.ok(squash(await event.innerText()).includes(`le ${DAY}, de 18 h à 19 h 30`), `the project page: ${await event.innerText()}`);
  await checkAccessibility(page, 'project page with an event', state.axeFindings);
});

step('"Mon agenda" shows 18 h in Paris, with the UTC moment in <time>', async () => {
  const page = state.page;
  const { entry, text } = await agendaEntry(page);
  assert.ok(text.includes(`le ${DAY}, de 18 h à 19 h 30`), `the agenda in Paris: ${text}`);
  assert.ok(!text.includes('heure de'), `no zone named when it is the reader's: ${text}`);
  assert.equal(await entry.locator('time').first().getAttribute('datetime'), `${YEAR}-01-12T17:00:00Z`);
  await checkAccessibility(page, 'agenda (Europe/Paris)', state.axeFindings);
});

step('the teacher chooses America/Martinique and the agenda moves to 13 h', async () => {
  const page = state.page;
  await goto(page, state.a, '/settings/profile');
  const zone = page.getByLabel('Fuseau horaire', { exact: true });
  assert.equal(await zone.inputValue(), '', 'the instance\'s zone is chosen until the teacher picks one');
  const firstZones = await zone.locator('optgroup').first().locator('option').allTextContents();
  assert.deepEqual(firstZones.slice(0, 5), ['France métropolitaine (Paris)', 'Guadeloupe', 'Martinique', 'Guyane (Cayenne)', 'La Réunion'], 'French zones first, by name');
  assert.ok(firstZones.includes('Nouvelle-Calédonie (Nouméa)') && firstZones.includes('Wallis-et-Futuna'), `every overseas territory: ${firstZones}`);
  const groups = await zone.locator('optgroup').evaluateAll((nodes) => nodes.map((node) => node.label));
  assert.deepEqual(groups.slice(0, 3), ['France (métropole et outre-mer)', 'Europe', 'Afrique'], 'then by continent');
  const allZones = await zone.locator('option').allTextContents();
  assert.ok(allZones.includes('Londres') && allZones.includes('Le Caire'), 'places named in French');
  assert.ok(!allZones.some((label) => /[/_]/.test(label)), `no IANA identifier shown: ${allZones.filter((label) => /[/_]/.test(label))}`);
  await checkAccessibility(page, 'profile settings', state.axeFindings);
  await zone.selectOption('America/Martinique');
  const saved = await submitForm(page, formWith(page, 'display_name'));
  assert.equal(saved.status(), 200, `saving the profile answered ${saved.status()}:\n${await bodyText(page)}`);
  await expectNoAlert(page, 'saving the time zone');
  assert.equal(await page.getByLabel('Fuseau horaire', { exact: true }).inputValue(), 'America/Martinique');

  const { text } = await agendaEntry(page);
  assert.ok(text.includes(`le ${DAY}, de 13 h à 14 h 30`), `the agenda in Martinique: ${text}`);
  assert.ok(text.includes(`(soit ${DAY}, 18 h, heure de Paris)`), `the event's own zone is named by its place: ${text}`);
  await checkAccessibility(page, 'agenda (America/Martinique)', state.axeFindings);
});

step('screenshots: agenda, profile settings and a thread at 1280 and 390 px', async () => {
  const page = state.page;
  await atBothWidths(page, state.a, '/agenda', 'agenda');
  await atBothWidths(page, state.a, '/settings/profile', 'profile-settings');
  await atBothWidths(page, state.a, state.threadPath, 'thread');
});
