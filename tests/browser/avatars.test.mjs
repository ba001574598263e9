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
  extra: { threadPath: null },
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

step('a file that is not an image is refused and the picture stays', async () => {
  const page = state.page;
  await goto(page, state.a, '/settings/profile');
  await page.getByLabel(/^Image \(PNG/).setInputFiles({ name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('pas une image') });
  const sent = await clickAndWaitForPage(page, page.getByRole('button', { name: 'Envoyer la photo' }));
  assert.equal(sent.status(), 422, `the refusal answered ${sent.status()}`);
  assert.match(squash(await bodyText(page)), /pas une image lisible/, 'the message says why');
  await goto(page, state.a, `/users/${TEACHER.name}`);
  assert.equal(await showsPicture(page.locator('.profile-head')), true, 'the picture stays');
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
