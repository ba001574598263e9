// Browser end-to-end test: editing and deleting what was shared in a project
// (issue 13). A teacher opens a thread in a project's forum, edits it through its
// edit page (with the Markdown preview first), adds an agenda event and deletes it
// through the confirmation page; each action comes back with its notice.
//
// One `preau serve` child process on loopback, the account made with the CLI,
// Debian's Chromium driven by playwright-core, axe-core on every page visited. The
// edit page, the confirmation page and the thread must not scroll sideways at
// 390 px. With PREAU_SHOTS_DIR set, screenshots at 1280 and 390 px go there.
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
  expectNoAlert,
  formWith,
  goto,
  logIn,
  oneInstance,
  squash,
  submitForm,
} from './lib.mjs';

dns.setDefaultResultOrder('ipv4first');

const CONFIG = 'instance-config/informal.toml';
const TEACHER = { name: 'mkerouac', email: 'maiwenn.kerouac@profs.example', password: 'Craie-blanche-2024!' };
const PROJECT = { name: 'mares', title: 'Mares pédagogiques' };
const YEAR = new Date().getUTCFullYear() + 1;

const { state, step } = oneInstance(chromium, {
  prefix: 'project-changes',
  config: CONFIG,
  people: [{ key: 'page', label: 'teacher', user: TEACHER }],
  extra: { threadPath: null, editPath: null, deletePath: null },
});

step('the teacher creates a project and opens a thread in its forum', async () => {
  const page = state.page;
  await logIn(page, state.a, TEACHER);
  await goto(page, state.a, '/projects/new');
  await page.getByLabel('Nom court', { exact: true }).fill(PROJECT.name);
  await page.getByLabel('Titre', { exact: true }).fill(PROJECT.title);
  const created = await submitForm(page, formWith(page, 'title').filter({ has: page.locator('input[name=name]') }));
  assert.ok(created.status() < 400, `creating the project answered ${created.status()}:\n${await bodyText(page)}`);

  await goto(page, state.a, `/projects/${PROJECT.name}/forum`);
  const form = formWith(page, 'body').filter({ has: page.locator('input[name=title]') });
  await form.locator('input[name=title]').fill('Relevés de printemps');
  await form.locator('textarea[name=body]').fill('Qui relève les tritons ?');
  const opened = await clickAndWaitForPage(page, form.locator('button:not([name=preview])'));
  assert.ok(opened.status() < 400, `opening the thread answered ${opened.status()}`);
  await expectNoAlert(page, 'opening the thread');
  state.threadPath = new URL(page.url()).pathname;
  assert.match(state.threadPath, /\/threads\/\d+$/);
});

step('the author edits the thread, with a preview first', async () => {
  const page = state.page;
  await page.getByRole('link', { name: 'Modifier', exact: true }).first().click();
  await page.waitForURL(/\/posts\/\d+\/edit$/);
  state.editPath = new URL(page.url()).pathname;
  assert.equal(await page.locator('textarea[name=body]').inputValue(), 'Qui relève les tritons ?');
  await checkAccessibility(page, 'edit page', state.axeFindings);
  await page.locator('input[name=title]').fill('Relevés des tritons');
  await page.locator('textarea[name=body]').fill('Relevé le **12 avril**.');
  const previewed = await clickAndWaitForPage(page, page.getByRole('button', { name: 'Aperçu' }));
  assert.equal(previewed.status(), 200);
  assert.equal(await page.locator('section.preview strong').innerText(), '12 avril', 'the preview shows the Markdown');
  assert.equal(await page.locator('textarea[name=body]').inputValue(), 'Relevé le **12 avril**.', 'the text stays typed');
  await checkAccessibility(page, 'edit page with a preview', state.axeFindings);
  const saved = await clickAndWaitForPage(page, page.getByRole('button', { name: 'Enregistrer les modifications' }));
  assert.ok(saved.status() < 400, `saving answered ${saved.status()}`);
  assert.equal(new URL(page.url()).pathname, state.threadPath, 'back on the thread');
  const text = squash(await bodyText(page));
  assert.ok(text.includes('Message modifié.'), `the notice: ${text}`);
  assert.ok(text.includes('Relevés des tritons') && text.includes('12 avril'), `the thread as edited: ${text}`);
});

step('the author adds an event and deletes it after the confirmation page', async () => {
  const page = state.page;
  await goto(page, state.a, `/projects/${PROJECT.name}/agenda`);
  const agenda = page.locator('section#agenda');
  await agenda.getByLabel('Titre de l’événement', { exact: true }).fill('Sortie à la mare');
  await agenda.getByLabel('Début', { exact: true }).fill(`${YEAR}-04-12T14:00`);
  const added = await clickAndWaitForPage(page, agenda.getByRole('button', { name: 'Ajouter à l’agenda' }));
  assert.ok(added.status() < 400, `adding the event answered ${added.status()}`);
  const event = page.locator('section#agenda li.event', { hasText: 'Sortie à la mare' });
  await event.getByRole('link', { name: 'Supprimer', exact: true }).click();
  await page.waitForURL(/\/events\/\d+\/delete$/);
  state.deletePath = new URL(page.url()).pathname;
  const confirm = squash(await bodyText(page));
  assert.ok(confirm.includes('Supprimer cet événement ?') && confirm.includes('Sortie à la mare'), confirm);
  await checkAccessibility(page, 'delete confirmation', state.axeFindings);
  const deleted = await clickAndWaitForPage(page, page.getByRole('button', { name: 'Supprimer l’événement' }));
  assert.ok(deleted.status() < 400, `deleting answered ${deleted.status()}`);
  assert.equal(new URL(page.url()).pathname, `/projects/${PROJECT.name}/agenda`);
  const text = squash(await bodyText(page));
  assert.ok(text.includes('Événement supprimé de l’agenda.'), `the notice: ${text}`);
  assert.equal(await page.locator('section#agenda li.event', { hasText: 'Sortie à la mare' }).count(), 0);
  await checkAccessibility(page, 'agenda after the deletion', state.axeFindings);
});

step('a refused file comes back as the documents section with the reason at the file field', async () => {
  const page = state.page;
  await goto(page, state.a, `/projects/${PROJECT.name}/documents`);
  await page.locator('#document-file').setInputFiles({ name: 'programme.exe', mimeType: 'application/octet-stream', buffer: Buffer.from('MZ pas un document') });
  const sent = await clickAndWaitForPage(page, page.locator('form:has(#document-file) button[type=submit]'));
  assert.equal(sent.status(), 415, `the refusal answered ${sent.status()}`);
  assert.equal(new URL(page.url()).pathname, `/projects/${PROJECT.name}/documents`, 'the documents section, not an error page');
  const field = page.locator('#document-file');
  assert.equal(await field.count(), 1, `the form is at hand:\n${await bodyText(page)}`);
  assert.equal(await field.getAttribute('aria-invalid'), 'true', 'the file field is marked invalid');
  assert.ok((await page.locator('#document-file-error').innerText()).trim().length > 0, 'the reason is beside the file field');
  await checkAccessibility(page, 'documents, file refused', state.axeFindings);
  // No file at all (a browser without `required`): the same, with its own reason.
  const token = await page.locator('form:has(#document-file) input[name=csrf_token]').inputValue();
  const bare = await page.request.post(`${state.a.base}/projects/${PROJECT.name}/documents`, { multipart: { csrf_token: token } });
  assert.equal(bare.status(), 422, 'a missing file is a refusal of the form');
  assert.match(await bare.text(), /id="document-file-error"/, 'shown at the file field');
});

step('screenshots: the edit page, a confirmation page and the thread at 1280 and 390 px', async () => {
  const page = state.page;
  await atBothWidths(page, state.a, state.editPath, 'project-post-edit');
  await atBothWidths(page, state.a, state.threadPath, 'project-thread-actions');
  await goto(page, state.a, `/projects/${PROJECT.name}/agenda`);
  const agenda = page.locator('section#agenda');
  await agenda.getByLabel('Titre de l’événement', { exact: true }).fill('Bilan');
  await agenda.getByLabel('Début', { exact: true }).fill(`${YEAR}-05-12T14:00`);
  await clickAndWaitForPage(page, agenda.getByRole('button', { name: 'Ajouter à l’agenda' }));
  const link = page.locator('section#agenda li.event', { hasText: 'Bilan' }).getByRole('link', { name: 'Supprimer', exact: true });
  const confirmPath = await link.getAttribute('href');
  await atBothWidths(page, state.a, confirmPath, 'project-event-delete');
  await atBothWidths(page, state.a, `/projects/${PROJECT.name}/agenda`, 'project-agenda-actions');
});
