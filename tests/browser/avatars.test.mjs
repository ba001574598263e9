// Browser end-to-end test: avatars (issue 13). A teacher without a picture sees
// her initials in the header; she uploads a picture through the form of
// /settings/profile (a real file chooser, `setInputFiles`), is told it was saved,
// and sees it on her profile and beside her name on a forum thread; a file that is
// not an image is refused with a readable message and the picture stays.
//
// One `preau serve` child process on loopback, the account made with the CLI,
// Debian's Chromium driven by playwright-core, axe-core on every page visited. At
// 390 px wide the settings page, the profile and the thread must not scroll
// sideways. With PREAU_SHOTS_DIR set, screenshots at 1280 and 390 px go there.
//
// Run with `bash tests/browser/run.sh` from the repository root.
import assert from 'node:assert/strict';
import dns from 'node:dns';
import zlib from 'node:zlib';

import { chromium } from 'playwright-core';
import {
  atBothWidths,
  bodyText,
  checkAccessibility,
  clickAndWaitForPage,
  createForum,
  expectNoAlert,
  goto,
  logIn,
  oneInstance,
  postThread,
  squash,
} from './lib.mjs';

dns.setDefaultResultOrder('ipv4first');

const CONFIG = 'instance-config/informal.toml';
const TEACHER = { name: 'mdupont', email: 'maelle.dupont@profs.example', password: 'Tableau-noir-2024!' };

const { state, step } = oneInstance(chromium, {
  prefix: 'avatars',
  config: CONFIG,
  people: [{ key: 'page', label: 'teacher', user: TEACHER, admin: true }],
  extra: { threadPath: null, displayName: null },
});

function crc32(bytes) {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k += 1) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A `width` × `height` PNG, a diagonal of two colours. */
function png(width, height) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  const rows = [];
  for (let y = 0; y < height; y += 1) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x += 1) {
      const [r, g, b] = x > y ? [31, 95, 139] : [240, 180, 40];
      row.set([r, g, b], 1 + x * 3);
    }
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Whether the avatar image inside `locator` loaded (an avatar, not the initials). */
async function showsPicture(locator) {
  const img = locator.locator('.avatar img').first();
  assert.equal(await img.count(), 1, 'an avatar is drawn');
  // Lazy images load after layout: wait (bounded) until this one has loaded or failed.
  await img.evaluate((element) => new Promise((resolve) => {
    if (element.complete) { resolve(); return; }
    element.addEventListener('load', resolve, { once: true });
    element.addEventListener('error', resolve, { once: true });
    setTimeout(resolve, 5_000);
  }));
  // Without a picture the server sends a transparent 1 × 1 pixel.
  return img.evaluate((element) => element.complete && element.naturalWidth > 1);
}

step('without a picture the header shows initials', async () => {
  const page = state.page;
  await logIn(page, state.a, TEACHER);
  await goto(page, state.a, '/settings/profile');
  const header = page.locator('.nav-profile').first();
  assert.equal(await showsPicture(header), false, 'no picture yet');
  assert.ok((await header.locator('.avatar-initials').count()) === 1, 'initials are drawn');
  await checkAccessibility(page, 'profile settings without a picture', state.axeFindings);
});

step('the teacher uploads a picture from the settings page', async () => {
  const page = state.page;
  await goto(page, state.a, '/settings/profile');
  await page.getByLabel(/^Image \(PNG/).setInputFiles({ name: 'portrait.png', mimeType: 'image/png', buffer: png(320, 240) });
  const sent = await clickAndWaitForPage(page, page.getByRole('button', { name: 'Envoyer la photo' }));
  assert.ok(sent.status() < 400, `the upload answered ${sent.status()}:\n${await bodyText(page)}`);
  await expectNoAlert(page, 'uploading the picture');
  assert.match(squash(await bodyText(page)), /Photo de profil enregistrée/, 'the notice says it was saved');
  assert.equal(await showsPicture(page.locator('.nav-profile').first()), true, 'the header shows it');
  await checkAccessibility(page, 'profile settings with a picture', state.axeFindings);
  await atBothWidths(page, state.a, '/settings/profile', 'avatars-settings');
});

step('the picture shows on the profile and on a forum thread', async () => {
  const page = state.page;
  await goto(page, state.a, `/users/${TEACHER.name}`);
  const head = page.locator('.profile-head');
  assert.equal(await showsPicture(head), true, 'the profile shows the picture');
  assert.match((await head.locator('img').getAttribute('src')) ?? '', /\/avatars\/mdupont\/96\.png\?v=[0-9a-f]{12}$/);
  await checkAccessibility(page, 'profile with a picture', state.axeFindings);
  await atBothWidths(page, state.a, `/users/${TEACHER.name}`, 'avatars-profile');

  await createForum(page, state.a, { name: 'portraits', title: 'Portraits de classe' });
  state.threadPath = await postThread(page, state.a, { title: 'Photo de classe', body: 'Qui fait la photo cette année ?' });
  const meta = page.locator('main p.meta').first();
  assert.equal(await showsPicture(meta), true, 'the thread shows the author\'s picture');
  await checkAccessibility(page, 'thread with an author picture', state.axeFindings);
  await atBothWidths(page, state.a, state.threadPath, 'avatars-thread');
});

/** Sends `file` through the avatar form; the page must come back as the form, the reason at the file field. */
async function refusedUpload(page, file, reason, what, status) {
  await goto(page, state.a, '/settings/profile');
  await page.getByLabel(/^Image \(PNG/).setInputFiles(file);
  const sent = await clickAndWaitForPage(page, page.getByRole('button', { name: 'Envoyer la photo' }));
  assert.equal(sent.status(), status, `${what}: the refusal answered ${sent.status()}`);
  const field = page.locator('input#avatar');
  assert.equal(await field.count(), 1, `${what}: the settings form comes back, not an error page:\n${await bodyText(page)}`);
  assert.equal(await field.getAttribute('aria-invalid'), 'true', `${what}: the file field is marked invalid`);
  const inline = page.locator('#avatar-error');
  assert.match(squash(await inline.innerText()), reason, `${what}: the reason is beside the file field`);
  assert.ok(((await field.getAttribute('aria-describedby')) ?? '').split(' ').includes('avatar-error'), `${what}: the field is described by its error`);
  // The rest of the settings page is there, filled in as stored.
  assert.equal(await page.getByLabel('Nom affiché', { exact: true }).inputValue(), state.displayName, `${what}: the profile form keeps its values`);
  await checkAccessibility(page, `profile settings, picture refused (${what})`, state.axeFindings);
}

step('a refused file comes back as the form with the reason at the file field, and the picture stays', async () => {
  const page = state.page;
  await goto(page, state.a, '/settings/profile');
  state.displayName = await page.getByLabel('Nom affiché', { exact: true }).inputValue();
  await refusedUpload(page, { name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('pas une image') }, /pas une image lisible/, 'unreadable', 422);
  // Over the picture limit (5 MB) but under the upload limit: refused by the picture's rule.
  await refusedUpload(page, { name: 'grand.png', mimeType: 'image/png', buffer: Buffer.alloc(6 * 1024 * 1024, 7) }, /dépasse 5 Mo/, 'over 5 MB', 413);
  // Over the whole upload limit (10 MiB): read to its end, not kept, same answer in place.
  await refusedUpload(page, { name: 'enorme.png', mimeType: 'image/png', buffer: Buffer.alloc(11 * 1024 * 1024, 7) }, /dépasse 5 Mo/, 'too large', 413);
  await atBothWidths(page, state.a, '/settings/profile', 'avatars-settings');
  await goto(page, state.a, `/users/${TEACHER.name}`);
  assert.equal(await showsPicture(page.locator('.profile-head')), true, 'the picture stays');
});

step('a handle the directory cannot open comes back in its field with the reason', async () => {
  const page = state.page;
  await goto(page, state.a, '/directory');
  await page.locator('#directory-lookup-handle').fill('quelquun-sans-domaine');
  const sent = await clickAndWaitForPage(page, page.locator('form[action="/directory/lookup"] button[type=submit]'));
  assert.equal(sent.status(), 400, `the refusal answered ${sent.status()}`);
  const field = page.locator('#directory-lookup-handle');
  assert.equal(await field.count(), 1, `the directory comes back, not an error page:\n${await bodyText(page)}`);
  assert.equal(await field.inputValue(), 'quelquun-sans-domaine', 'the handle stays typed');
  assert.equal(await field.getAttribute('aria-invalid'), 'true');
  assert.ok((await page.locator('#directory-lookup-error').innerText()).trim().length > 0, 'the reason is beside the field');
  await checkAccessibility(page, 'directory, handle refused', state.axeFindings);
});

step('the picture is removed after a confirmation', async () => {
  const page = state.page;
  await goto(page, state.a, '/settings/profile');
  await clickAndWaitForPage(page, page.getByRole('link', { name: 'Retirer la photo' }));
  await checkAccessibility(page, 'confirmation of the removal', state.axeFindings);
  await clickAndWaitForPage(page, page.getByRole('button', { name: 'Retirer la photo' }));
  assert.match(squash(await bodyText(page)), /Photo de profil retirée/);
  await goto(page, state.a, `/users/${TEACHER.name}`);
  assert.equal(await showsPicture(page.locator('.profile-head')), false, 'initials again');
});

step('a long name keeps the header on one row: cut with an ellipsis, whole in its title and accessible name', async () => {
  const page = state.page;
  const LONG = "Marie-Christine de La Tour-d'Auvergne-Lauraguais";
  await goto(page, state.a, '/settings/profile');
  await page.getByLabel('Nom affiché', { exact: true }).fill(LONG);
  const saved = await clickAndWaitForPage(page, page.locator('form:has(#display_name) button[type=submit]'));
  assert.ok(saved.status() < 400, `saving the name answered ${saved.status()}`);
  await expectNoAlert(page, 'saving a long name');
  for (const width of [1280, 1024]) {
    await page.setViewportSize({ width, height: 800 });
    await goto(page, state.a, '/forums');
    const header = await page.locator('header.site-header').boundingBox();
    const brand = await page.locator('header .brand').boundingBox();
    assert.ok(header.height < 70, `at ${width} px the header is one row (${header.height} px high)`);
    const summary = page.locator('header .account-menu > summary');
    assert.ok(await summary.isVisible(), `at ${width} px the name is in the row`);
    assert.equal(await summary.getAttribute('title'), LONG, 'the whole name is the title');
    const name = await summary.evaluate((element) => {
      const text = element.querySelector('.account-name');
      return { cut: text.scrollWidth > text.clientWidth, overflow: getComputedStyle(text).textOverflow };
    });
    assert.ok(name.cut && name.overflow === 'ellipsis', `at ${width} px the name is cut with an ellipsis: ${JSON.stringify(name)}`);
    const accessible = await summary.evaluate((element) => element.textContent.replace(/\s+/g, ' ').trim());
    assert.ok(accessible.includes(LONG), `the accessible name holds the whole name: ${accessible}`);
    const right = await summary.boundingBox();
    assert.ok(right.x + right.width <= width, `the name's menu stays in the window (${right.x + right.width} px)`);
    assert.ok(brand.width >= 90, `the instance's name keeps some room (${brand.width} px)`);
    await checkAccessibility(page, `forums with a long name at ${width} px`, state.axeFindings);
  }
  // Its menu opens on the teacher's own pages and the log-out button.
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.locator('header .account-menu > summary').click();
  assert.ok(await page.locator('header .account-links').getByRole('link', { name: 'Modifier mon profil' }).isVisible());
  assert.ok(await page.locator('header .account-links').getByRole('button', { name: 'Se déconnecter' }).isVisible());
  await checkAccessibility(page, 'account menu open', state.axeFindings);
  // On a phone the header stays compact; the account's links are in the menu.
  await page.setViewportSize({ width: 390, height: 844 });
  await goto(page, state.a, '/forums');
  const phone = await page.locator('header.site-header').boundingBox();
  assert.ok(phone.height < 70, `at 390 px the header stays compact (${phone.height} px high)`);
  assert.ok(!(await page.getByRole('button', { name: 'Se déconnecter' }).isVisible()), 'the menu starts closed');
  await page.locator('header details.nav-menu > summary').click();
  assert.ok(await page.getByRole('button', { name: 'Se déconnecter' }).isVisible(), 'the log-out button is in the phone menu');
  assert.ok(await page.locator('header .account-links').getByRole('link', { name: 'Mon profil', exact: true }).isVisible(), 'and the profile');
  await page.setViewportSize({ width: 1280, height: 800 });
});
