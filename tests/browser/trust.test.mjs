// Browser end-to-end test: trust labels on a thread with replies from three instances
// (issue 4).
//
// An authority key is made with `preau trust keygen`, and attestations are signed with
// `preau trust attest` for two instances:
//
// - R, the reader: an academy's node (institutional, "Académie de Rennes"), attested,
//   which trusts the authority ("Ministère (test)");
// - S, an association (associative, attested as "Association des profs de SVT");
// - L, an informal instance that declares itself institutional with nothing to show
//   for it: the lying one.
//
// On R an admin creates a forum and opens a thread in the UI; teachers on S and L
// follow the forum by its handle and reply in the UI. R's thread page must then show
// the three labels as R verifies them (icon and words, never colour alone), the
// "se déclare institutionnel (non vérifié)" note on L's reply, and the "pourquoi ?"
// panels (opened by a click, and by the keyboard). /admin/instances on R lists S and
// L. axe-core checks every page visited.
//
// Real parts only: three `preau serve` child processes on loopback, accounts made with
// the `preau admin create-user` CLI, keys and attestations made with the `preau trust`
// CLI, Debian's Chromium driven by playwright-core. Nothing leaves 127.0.0.1.
//
// Run with `bash tests/browser/run.sh` from the repository root (see that file for
// the environment variables).
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm } from 'node:fs/promises';
import dns from 'node:dns';
import os from 'node:os';
import path from 'node:path';

import { chromium } from 'playwright-core';
import {
  ARTIFACTS,
  allLogTails,
  bodyText,
  checkAccessibility,
  clickAndWaitForPage,
  createForum,
  createUser,
  followRemoteForum,
  goto,
  launchChromium,
  logIn,
  newBrowserContext,
  newInstance,
  postReply,
  postThread,
  prepareInstance,
  reloadUntil,
  runPreau,
  setUp,
  squash,
  startServer,
  stepper,
  tearDown,
  frenchDay,
} from './lib.mjs';

// "localhost" must reach the servers, which listen on 127.0.0.1 only.
dns.setDefaultResultOrder('ipv4first');


const STEP_TIMEOUT_MS = 90_000;
const FEDERATION_TIMEOUT_MS = 30_000;

const AUTHORITY = 'Ministère (test)';
const READER_ORG = 'Académie de Rennes';
const ASSOCIATION_ORG = 'Association des profs de SVT';
const EMAIL_DOMAIN = 'ac-rennes.fr';

const ADMIN = { name: 'lbernard', email: 'lucie.bernard@ac-rennes.fr', password: 'Craie-blanche-2024!' };
const SVT_TEACHER = { name: 'bdurand', email: 'beatrice.durand@profs-svt.example', password: 'Microscope-vert-2024!' };
const LIAR_TEACHER = { name: 'lmoreau', email: 'liam.moreau@ac-rennes.fr', password: 'Officiel-promis-2024!' };

const FORUM_NAME = 'svt_college';
const FORUM_TITLE = 'SVT au collège';
const FORUM_DESCRIPTION = 'Échanges entre collègues de **SVT** : progressions, sorties, évaluations.';
const THREAD_TITLE = 'Progression sur la cellule en cinquième';
const THREAD_BODY = 'Bonjour à toutes et à tous,\n\nPar quoi commencez-vous : le microscope ou la cellule ?';
const SVT_REPLY = 'Une progression spiralée : le microscope d’abord, puis la cellule.';
const LIAR_REPLY = 'Je suis officiel, croyez-moi : la cellule d’abord.';

// What the reader's pages must show (locales/fr/main.ftl, trust-* keys).
const LABEL_INSTITUTIONAL = `Institutionnel · ${READER_ORG}`;
const LABEL_ASSOCIATIVE = `Associatif · ${ASSOCIATION_ORG} · vérifié par ${AUTHORITY}`;
const LABEL_INFORMAL = 'Informel — n’engage que son auteur';
const CLAIM_INSTITUTIONAL = 'se déclare institutionnel (non vérifié)';
const WHY = 'pourquoi ?';
// The "pourquoi ?" panel: who claims what, what R checked and how, what the level means.
const WHY_OWN = 'Son niveau est celui que ses administrateurs ont fixé dans sa configuration.';
const WHY_NO_EVIDENCE = 'n’a pas pu le vérifier : aucune attestation d’une autorité qu’elle reconnaît, aucune règle ni décision de ses administrateurs.';
const WHY_ATTESTATION = new RegExp(
  `^${AUTHORITY.replace(/[()]/g, '\\$&')} l’atteste par une attestation signée, valable jusqu’au .+? \\d{4} ; .+ a vérifié cette signature le (.+? \\d{4})\\.$`,
);
const MEANS_INFORMAL = 'Ce que veut dire « informel » : ce qui est publié n’engage que son auteur';

// ---------------------------------------------------------------------------
// Shared state
// ---------------------------------------------------------------------------
const state = {
  r: newInstance('R', 'reader, institutional, attested'),
  s: newInstance('S', 'association, attested'),
  l: newInstance('L', 'informal, claims institutional'),
  keyDir: null,
  authorityKey: '', // z6Mk…
  browser: null,
  failed: false,
  axeFindings: [],
  dialogs: [],
  threadPathR: null, // /threads/ID on R
  startedOn: new Date(),
};
const INSTANCES = () => [state.r, state.s, state.l];

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/** `preau trust attest …` for `inst`'s origin; returns the absolute path of the attestation. */
async function attest(inst, level, org) {
  const file = path.join(state.keyDir, `${inst.label.toLowerCase()}-attestation.json`);
  const stdout = await runPreau([
    'trust', 'attest',
    '--key', path.join(state.keyDir, 'authority.key'),
    '--origin', inst.base,
    '--level', level,
    '--org', org,
    '--email-domain', EMAIL_DOMAIN,
    '--valid-days', '30',
    '--out', file,
  ]);
  console.log(`authority: ${stdout.trim()}`);
  const written = JSON.parse(await readFile(file, 'utf8'));
  assert.equal(written.origin, inst.base, `the attestation for ${inst.label} should name its origin`);
  assert.equal(written.trustLevel, level);
  assert.equal(written.issuer, `did:key:${state.authorityKey}`, 'the attestation should be issued by the authority key');
  return file;
}

/** `reloadUntil`, with this test's federation timeout and its three servers watched. */
function waitFor(page, inst, pathname, predicate, timeoutMs = FEDERATION_TIMEOUT_MS) {
  return reloadUntil(page, inst, pathname, predicate, { timeoutMs, instances: INSTANCES() });
}

const step = stepper(state, {
  prefix: 'trust',
  timeoutMs: STEP_TIMEOUT_MS,
  pages: () => INSTANCES().map((inst) => [inst.label, inst.page]),
});

/** What a label shows: its words (`.trust`), its note (`.trust-claim`), its icon. */
async function readLabel(post, what) {
  const trust = post.locator('.post-trust .trust');
  assert.equal(await trust.count(), 1, `${what}: expected one label (.post-trust .trust), found ${await trust.count()}`);
  const icon = trust.locator('svg');
  assert.equal(await icon.count(), 1, `${what}: the label should have an icon (svg)`);
  assert.ok(await icon.isVisible(), `${what}: the label's icon should be visible`);
  const box = await icon.boundingBox();
  assert.ok(box && box.width >= 8 && box.height >= 8, `${what}: the label's icon should be drawn, its box is ${JSON.stringify(box)}`);
  assert.equal(await icon.getAttribute('aria-hidden'), 'true', `${what}: the icon is decorative, the words carry the label`);
  const claim = post.locator('.post-trust .trust-claim');
  return {
    text: squash(await trust.innerText()),
    claim: (await claim.count()) ? squash(await claim.innerText()) : null,
    iconShape: await icon.innerHTML(),
    details: post.locator('.post-trust details.trust-why'),
  };
}

/** The reply on the current page whose text holds `text`. */
function replyWith(page, text) {
  return page.locator('.post.reply', { hasText: text });
}

// ---------------------------------------------------------------------------
// Set-up and tear-down
// ---------------------------------------------------------------------------
setUp(state, async () => {
  // Ports first, so the authority can name each origin.
  const prefix = 'preau-browser-trust';
  await prepareInstance(state.r, { config: 'instance-config/institutional.toml', prefix });
  await prepareInstance(state.s, { config: 'instance-config/associative.toml', prefix });
  await prepareInstance(state.l, { config: 'instance-config/informal.toml', prefix });

  // The authority: a key, and two attestations signed with it.
  state.keyDir = await mkdtemp(path.join(os.tmpdir(), 'preau-browser-trust-authority-'));
  const keygen = await runPreau(['trust', 'keygen', '--out', path.join(state.keyDir, 'authority.key')]);
  const key = keygen.match(/\bz6Mk[1-9A-HJ-NP-Za-km-z]+/);
  assert.ok(key, `preau trust keygen should print the public key z6Mk…; it printed:\n${keygen}`);
  state.authorityKey = key[0];
  console.log(`authority: public key ${state.authorityKey}`);
  const readerAttestation = await attest(state.r, 'institutional', READER_ORG);
  const associationAttestation = await attest(state.s, 'associative', ASSOCIATION_ORG);

  // Configuration by environment: values are TOML values (src/config.rs).
  Object.assign(state.r.env, {
    PREAU_INSTANCE_TRUST_LEVEL: 'institutional',
    PREAU_INSTANCE_ORGANISATION: READER_ORG,
    PREAU_INSTANCE_ALLOWED_EMAIL_DOMAINS: `["${EMAIL_DOMAIN}"]`,
    PREAU_TRUST_AUTHORITIES: `[{name = "${AUTHORITY}", key = "${state.authorityKey}"}]`,
    PREAU_TRUST_ATTESTATIONS: JSON.stringify([readerAttestation]),
  });
  Object.assign(state.s.env, {
    PREAU_INSTANCE_TRUST_LEVEL: 'associative',
    PREAU_TRUST_ATTESTATIONS: JSON.stringify([associationAttestation]),
  });
  // The lying one: an informal instance's configuration, declaring institutional.
  Object.assign(state.l.env, {
    PREAU_INSTANCE_TRUST_LEVEL: 'institutional',
    PREAU_INSTANCE_ALLOWED_EMAIL_DOMAINS: `["${EMAIL_DOMAIN}"]`,
  });

  await Promise.all(INSTANCES().map(startServer));
  await createUser(state.r, ADMIN, { admin: true });
  await createUser(state.s, SVT_TEACHER);
  await createUser(state.l, LIAR_TEACHER);

  state.browser = await launchChromium(chromium);
  // One context per instance: session cookies are bound to "localhost" whatever the port.
  for (const inst of INSTANCES()) {
    ({ context: inst.context, page: inst.page } = await newBrowserContext(state.browser, state.dialogs));
  }
});

tearDown(state, {
  prefix: 'trust',
  instances: INSTANCES,
  cleanUp: async () => {
    if (state.keyDir) await rm(state.keyDir, { recursive: true, force: true });
  },
});

// ---------------------------------------------------------------------------
// Scenario
// ---------------------------------------------------------------------------
const forumHandle = () => `${FORUM_NAME}@${state.r.domain}`;
const forumPathElsewhere = () => `/forums/${forumHandle()}`;

step('R publishes its declaration and its attestation; S and L publish theirs', async () => {
  for (const [inst, declared, attested] of [
    [state.r, 'institutional', 1],
    [state.s, 'associative', 1],
    [state.l, 'institutional', 0],
  ]) {
    const res = await fetch(`${inst.base}/nodeinfo/2.1`, { signal: AbortSignal.timeout(5_000) });
    assert.equal(res.status, 200, `GET ${inst.base}/nodeinfo/2.1 answered ${res.status}`);
    const trust = (await res.json()).metadata?.trust;
    assert.equal(trust?.declared, declared, `${inst.label}'s NodeInfo should declare ${declared}: ${JSON.stringify(trust)}`);
    assert.equal(trust?.attestations?.length, attested, `${inst.label}'s NodeInfo should serve ${attested} attestation(s)`);
  }
});

step('R: the admin creates a forum and opens a thread; its label is the instance’s own', async () => {
  const page = state.r.page;
  await logIn(page, state.r, ADMIN);
  const response = await goto(page, state.r, '/forums');
  assert.equal(response.status(), 200, `GET ${state.r.base}/forums answered ${response.status()}`);
  await checkAccessibility(page, 'forums list (R, admin)', state.axeFindings);

  await createForum(page, state.r, { name: FORUM_NAME, title: FORUM_TITLE, description: FORUM_DESCRIPTION });
  assert.ok((await bodyText(page)).includes(`!${forumHandle()}`), `the forum page should show its handle !${forumHandle()}`);
  await checkAccessibility(page, 'forum page (R, new forum)', state.axeFindings);

  const pathname = await postThread(page, state.r, { title: THREAD_TITLE, body: THREAD_BODY });
  state.threadPathR = pathname;
  assert.equal((await page.locator('h1').innerText()).trim(), THREAD_TITLE, 'the thread page <h1> should be the title');

  const own = await readLabel(page.locator('.post.thread'), 'the thread on R');
  assert.equal(own.text, LABEL_INSTITUTIONAL, `the thread's label on R should read "${LABEL_INSTITUTIONAL}"`);
  assert.equal(own.claim, null, 'the thread of R itself carries no "non vérifié" note');
  await checkAccessibility(page, 'thread page (R, new thread)', state.axeFindings);
});

for (const [key, teacher, replyText] of [
  ['s', SVT_TEACHER, SVT_REPLY],
  ['l', LIAR_TEACHER, LIAR_REPLY],
]) {
  step(`${key.toUpperCase()}: the teacher follows the forum by its handle and replies to the thread`, async () => {
    const inst = state[key];
    const page = inst.page;
    await logIn(page, inst, teacher);
    const response = await goto(page, inst, '/forums');
    assert.equal(response.status(), 200, `GET ${inst.base}/forums answered ${response.status()}`);
    await checkAccessibility(page, `forums list (${inst.label}, teacher)`, state.axeFindings);

    await followRemoteForum(page, inst, forumHandle(), { timeoutMs: FEDERATION_TIMEOUT_MS, instances: INSTANCES() });

    // The thread reaches this instance.
    const arrived = await waitFor(page, inst, forumPathElsewhere(), async (p) =>
      (await p.locator('.thread-list a', { hasText: THREAD_TITLE }).count()) > 0,
    );
    assert.ok(
      arrived,
      `on ${inst.label}, the thread did not arrive within ${FEDERATION_TIMEOUT_MS} ms; ` +
        `the page shows:\n${await bodyText(page)}\n${allLogTails(INSTANCES(), 40)}`,
    );
    await checkAccessibility(page, `remote forum page (${inst.label}, with the thread)`, state.axeFindings);

    const link = page.locator('.thread-list a', { hasText: THREAD_TITLE }).first();
    await clickAndWaitForPage(page, link);
    const threadPath = new URL(page.url()).pathname;
    assert.match(threadPath, /^\/threads\/\d+$/, `the thread link on ${inst.label} should lead to /threads/ID, led to ${page.url()}`);
    assert.equal((await page.locator('h1').innerText()).trim(), THREAD_TITLE);
    await checkAccessibility(page, `remote thread page (${inst.label})`, state.axeFindings);

    await postReply(page, inst, replyText);
    assert.equal(await replyWith(page, replyText).count(), 1, `${inst.label}'s thread page should show the reply once`);
    await checkAccessibility(page, `remote thread page (${inst.label}, after replying)`, state.axeFindings);
  });
}

step('R: both replies arrive, and R has checked S and L', async () => {
  const page = state.r.page;
  // R checks S's and L's NodeInfo in the background once it has met their actors:
  // reload until both replies are there and both labels are final.
  const ready = await waitFor(
    page,
    state.r,
    state.threadPathR,
    async (p) => {
      const svt = replyWith(p, SVT_REPLY);
      const liar = replyWith(p, LIAR_REPLY);
      if ((await svt.count()) !== 1 || (await liar.count()) !== 1) return false;
      const svtText = squash(await svt.locator('.post-trust').innerText());
      const liarText = squash(await liar.locator('.post-trust').innerText());
      return svtText.includes(`vérifié par ${AUTHORITY}`) && liarText.includes(CLAIM_INSTITUTIONAL);
    },
    FEDERATION_TIMEOUT_MS * 2,
  );
  assert.ok(
    ready,
    `R's thread page did not show both replies with their final labels within ${FEDERATION_TIMEOUT_MS * 2} ms; ` +
      `it shows:\n${await bodyText(page)}\n${allLogTails(INSTANCES(), 60)}`,
  );
});

step('R: the thread page shows the three labels, with icons and words', async () => {
  const page = state.r.page;
  await goto(page, state.r, state.threadPathR);

  const thread = page.locator('.post.thread');
  const svt = replyWith(page, SVT_REPLY);
  const liar = replyWith(page, LIAR_REPLY);
  assert.ok(squash(await thread.innerText()).includes(`@${ADMIN.name}@${state.r.domain}`), 'the thread names its author with its origin');
  assert.ok(squash(await svt.innerText()).includes(`@${SVT_TEACHER.name}@${state.s.domain}`), 'S\'s reply names its author with its origin');
  assert.ok(squash(await liar.innerText()).includes(`@${LIAR_TEACHER.name}@${state.l.domain}`), 'L\'s reply names its author with its origin');

  const own = await readLabel(thread, 'the thread (R)');
  assert.equal(own.text, LABEL_INSTITUTIONAL, `the thread's label should read "${LABEL_INSTITUTIONAL}"`);
  assert.equal(own.claim, null, 'the thread carries no "non vérifié" note');

  const attested = await readLabel(svt, 'S\'s reply');
  assert.equal(attested.text, LABEL_ASSOCIATIVE, `S's reply label should read "${LABEL_ASSOCIATIVE}"`);
  assert.equal(attested.claim, null, 'S\'s reply carries no "non vérifié" note: its attestation verified');

  const claimed = await readLabel(liar, 'L\'s reply');
  assert.equal(claimed.text, LABEL_INFORMAL, `L's reply label should read "${LABEL_INFORMAL}"`);
  assert.equal(claimed.claim, CLAIM_INSTITUTIONAL, `L's reply should carry the note "${CLAIM_INSTITUTIONAL}"`);

  // Each level has its own icon, so the label never rests on colour alone.
  assert.equal(
    new Set([own.iconShape, attested.iconShape, claimed.iconShape]).size,
    3,
    'the three levels should have three different icons',
  );
  // Each level also has its own class, for the style sheet.
  assert.equal(await thread.locator('.trust.trust-institutional').count(), 1);
  assert.equal(await svt.locator('.trust.trust-associative').count(), 1);
  assert.equal(await liar.locator('.trust.trust-informal').count(), 1);

  // The "pourquoi ?" panels are closed at first.
  for (const [what, label] of [['the thread', own], ['S\'s reply', attested], ['L\'s reply', claimed]]) {
    assert.equal(await label.details.count(), 1, `${what}: expected one "pourquoi ?" panel (details.trust-why)`);
    assert.equal(squash(await label.details.locator('summary').innerText()), WHY, `${what}: the panel's summary should read "${WHY}"`);
    assert.equal(await label.details.getAttribute('open'), null, `${what}: the "pourquoi ?" panel should be closed at first`);
    assert.ok(!(await label.details.locator('.trust-why-check').isVisible()), `${what}: the panel's text should be hidden while closed`);
  }
  await checkAccessibility(page, 'thread page (R, three labels, panels closed)', state.axeFindings);
});

step('R: the "pourquoi ?" panels explain each label', async () => {
  const page = state.r.page;
  const liarPanel = replyWith(page, LIAR_REPLY).locator('details.trust-why');
  const svtPanel = replyWith(page, SVT_REPLY).locator('details.trust-why');
  const ownPanel = page.locator('.post.thread details.trust-why');

  // L's panel, by a click: its claim, and that R could not verify it.
  await liarPanel.locator('summary').click();
  await page.waitForFunction((el) => el.open, await liarPanel.elementHandle());
  const liarCheck = liarPanel.locator('.trust-why-check');
  assert.ok(await liarCheck.isVisible(), 'L\'s panel text should show once opened');
  const liarClaim = squash(await liarPanel.locator('.trust-why-claim').innerText());
  assert.ok(
    liarClaim.startsWith(`L’instance ${state.l.domain} se présente comme un nœud institutionnel`),
    `L's panel should say what L claims; it reads: ${liarClaim}`,
  );
  const liarText = squash(await liarCheck.innerText());
  assert.ok(liarText.includes(WHY_NO_EVIDENCE), `L's panel should say plainly that R could not verify the claim; it reads: ${liarText}`);
  assert.ok(
    squash(await liarPanel.locator('.trust-why-means').innerText()).startsWith(MEANS_INFORMAL),
    'L\'s panel should say what "informel" engages',
  );

  // S's panel, by a click: the attestation, its authority and dates.
  await svtPanel.locator('summary').click();
  await page.waitForFunction((el) => el.open, await svtPanel.elementHandle());
  const svtWhy = svtPanel.locator('.trust-why-check');
  assert.ok(await svtWhy.isVisible(), 'S\'s panel text should show once opened');
  const svtText = squash(await svtWhy.innerText());
  const match = svtText.match(WHY_ATTESTATION);
  assert.ok(match, `S's panel should name the attestation, its authority and when R checked it; it reads: ${svtText}`);
  assert.ok(
    [frenchDay(state.startedOn), frenchDay(new Date())].includes(match[1]),
    `S's attestation should have been checked today (Europe/Paris), the panel says ${match[1]}`,
  );
  const svtAll = squash(await svtPanel.innerText());
  for (const bad of ['ci-dessous', SVT_TEACHER.name, ADMIN.name]) {
    assert.ok(!svtAll.includes(bad), `S's panel should not contain "${bad}": ${svtAll}`);
  }

  // The thread's own panel, by the keyboard.
  await ownPanel.locator('summary').focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction((el) => el.open, await ownPanel.elementHandle());
  assert.equal(squash(await ownPanel.locator('.trust-why-check').innerText()), WHY_OWN, 'the thread\'s panel should explain R\'s own level');

  // Opening the panels changes nothing else.
  assert.equal(
    squash(await replyWith(page, LIAR_REPLY).locator('.post-trust .trust').innerText()),
    LABEL_INFORMAL,
    'L\'s label is unchanged once its panel is open',
  );
  assert.deepEqual(state.dialogs, [], 'no dialog may open');
  await checkAccessibility(page, 'thread page (R, "pourquoi ?" panels open)', state.axeFindings);

  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, 'trust-thread.png'), fullPage: true });

  // At 390 px, panels open: every pill keeps its shape (one line, its words
  // never wrapped inside it) and nothing overflows the page.
  const viewport = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  const pills = page.locator('.trust-pill');
  const pillCount = await pills.count();
  assert.ok(pillCount >= 3, `expected the three labels' pills, found ${pillCount}`);
  for (let i = 0; i < pillCount; i += 1) {
    const pill = pills.nth(i);
    const { height, lineHeight } = await pill.evaluate((el) => ({
      height: el.getBoundingClientRect().height,
      lineHeight: parseFloat(getComputedStyle(el).lineHeight) || parseFloat(getComputedStyle(el).fontSize) * 1.6,
    }));
    assert.ok(height < lineHeight * 1.9, `pill ${i} ("${squash(await pill.innerText())}") wraps at 390 px: ${height}px high`);
  }
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `the thread page overflows by ${overflow}px at 390 px with the panels open`);
  await page.screenshot({ path: path.join(ARTIFACTS, 'trust-thread-390.png'), fullPage: true });
  if (viewport) await page.setViewportSize(viewport);
});

step('R: /admin/instances lists S and L with what R verified', async () => {
  const page = state.r.page;
  const response = await goto(page, state.r, '/admin/instances');
  assert.equal(response.status(), 200, `GET ${state.r.base}/admin/instances answered ${response.status()}:\n${await bodyText(page)}`);
  assert.equal(squash(await page.locator('h1').innerText()), 'Instances connues');
  const text = await bodyText(page);
  assert.ok(text.includes(`Autorités reconnues : ${AUTHORITY}.`), `the admin page should name the trusted authority:\n${text}`);

  const rowOf = (inst) => page.locator('table.instances tbody tr').filter({
    has: page.locator('th[scope=row]', { hasText: inst.domain }),
  });
  const svtRow = rowOf(state.s);
  const liarRow = rowOf(state.l);
  assert.equal(await svtRow.count(), 1, `the admin page should list S (${state.s.domain}):\n${text}`);
  assert.equal(await liarRow.count(), 1, `the admin page should list L (${state.l.domain}):\n${text}`);

  const svtText = squash(await svtRow.innerText());
  assert.ok(svtText.includes(LABEL_ASSOCIATIVE), `S's row should give its label "${LABEL_ASSOCIATIVE}": ${svtText}`);
  assert.ok(svtText.includes(`Associatif, signé par ${AUTHORITY}`), `S's row should show its attestation: ${svtText}`);
  // Columns after the host: Déclare, Niveau retenu, Attestation, …
  const cell = async (row, i) => squash(await row.locator('td').nth(i).innerText());
  assert.equal(await cell(liarRow, 0), 'Institutionnel', 'L\'s row should show what it declares');
  const liarLevel = await cell(liarRow, 1);
  assert.ok(
    liarLevel.startsWith(`${LABEL_INFORMAL} ${CLAIM_INSTITUTIONAL}`),
    `L's row should give the level R retains, informal, with the note: ${liarLevel}`,
  );
  assert.equal(await cell(liarRow, 2), 'aucune', 'L\'s row should show no attestation');
  assert.ok((await cell(svtRow, 0)).startsWith('Associatif'), 'S\'s row should show what it declares');
  await checkAccessibility(page, 'known instances (R, admin)', state.axeFindings);

  // With the lying instance's panel open too.
  await liarRow.locator('details.trust-why summary').click();
  assert.ok(squash(await liarRow.locator('details.trust-why .trust-why-check').innerText()).includes(WHY_NO_EVIDENCE));
  await checkAccessibility(page, 'known instances (R, admin, panel open)', state.axeFindings);
});
