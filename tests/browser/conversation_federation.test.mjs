// Browser end-to-end test: a conversation between teachers of two instances
// (issue 14, "Across instances"), live.
//
// Two `preau serve` processes on loopback: A (institutional) where Camille
// teaches, B (associative) where Bruno does; one browser context each, on
// their own instance. They become contacts across the instances from "Mes
// demandes"; Camille starts the conversation "Projet commun" with Bruno from
// "Messages" on A; the invitation reaches Bruno on B, who accepts; then each
// message appears on the other's open page, on the other instance, without a
// reload (the host relays it, the other instance's stream shows it), and the
// sender's page is not left either (its form is sent by script). When
// PREAU_CHAT_LATENCY_N is set, that many more messages are timed from the
// click on "Envoyer" on one instance to the text on the other's page, and
// p50/p99 are printed (the browser-to-browser figure of docs/performance.md).
// Last, the host's check of a conversation's lowest trust level at every
// message: Camille, also A's admin, holds B for associative, starts a
// conversation for associative instances and up with Bruno, then withdraws
// the level; Bruno's next message is refused by A and his page says so.
// axe-core checks every page; screenshots at 1280 and 390 px go to
// PREAU_SHOTS_DIR when set; no page scrolls sideways at 390 px.
//
// Run with `bash tests/browser/run.sh` from the repository root.
import assert from 'node:assert/strict';
import dns from 'node:dns';

import { chromium } from 'playwright-core';
import {
  bodyText,
  checkedAtBothWidths,
  clickAndWaitForPage,
  goto,
  logIn,
  markPage,
  reloadUntil,
  sendMessage,
  severalInstances,
  stillSamePage,
  streamOpen,
} from './lib.mjs';

dns.setDefaultResultOrder('ipv4first');

const FEDERATION_TIMEOUT_MS = 30_000;
const CAMILLE = { name: 'cmartin', email: 'camille.martin@ac-rennes.fr', password: 'Tableau-noir-2024!' };
const BRUNO = { name: 'bleroy', email: 'bruno.leroy@example.org', password: 'Compas-rouge-2024!' };
const NAME = 'Projet commun';

const { state, step } = severalInstances(chromium, {
  prefix: 'conversation_federation',
  timeoutMs: 120_000,
  instances: [
    { key: 'a', label: 'A', what: 'Camille’s instance, the host', config: 'instance-config/institutional.toml' },
    { key: 'b', label: 'B', what: 'Bruno’s instance', config: 'instance-config/associative.toml' },
  ],
  people: [
    { key: 'camille', label: 'camille', user: CAMILLE, on: 'a', admin: true },
    { key: 'bruno', label: 'bruno', user: BRUNO, on: 'b' },
  ],
  extra: { pathA: null, pathB: null },
});
const INSTANCES = () => [state.a, state.b];

/** Screenshots at both widths, then axe at 1280 and 390 px. */
const checked = (page, inst, pathname, label) =>
  checkedAtBothWidths(page, inst, pathname, {
    shot: `conversation-federation-${label}`,
    label,
    findings: state.axeFindings,
  });

step('Camille (A) and Bruno (B) become contacts across the instances', async () => {
  await logIn(state.camille, state.a, CAMILLE);
  await logIn(state.bruno, state.b, BRUNO);
  await goto(state.camille, state.a, '/requests');
  await state.camille.locator('#contact-handle').fill(`${BRUNO.name}@${state.b.domain}`);
  await clickAndWaitForPage(state.camille, state.camille.getByRole('button', { name: 'Demander en contact' }));
  await reloadUntil(
    state.bruno,
    state.b,
    '/requests',
    async () => (await state.bruno.locator('.contact-request button[value=accept]').count()) > 0,
    { timeoutMs: FEDERATION_TIMEOUT_MS, instances: INSTANCES() },
  );
  await clickAndWaitForPage(state.bruno, state.bruno.locator('.contact-request button[value=accept]').first());
  assert.ok((await bodyText(state.bruno)).includes(CAMILLE.name));
});

step('Camille starts a named conversation with Bruno, a contact of another instance', async () => {
  const page = state.camille;
  await reloadUntil(
    page,
    state.a,
    '/conversations',
    async () => (await page.getByLabel(new RegExp(BRUNO.name)).count()) > 0,
    { timeoutMs: FEDERATION_TIMEOUT_MS, instances: INSTANCES() },
  );
  await checked(page, state.a, '/conversations', 'messages (A)');
  await page.locator('#conversation-name').fill(NAME);
  await page.getByLabel(new RegExp(BRUNO.name)).check();
  await clickAndWaitForPage(page, page.getByRole('button', { name: 'Commencer la conversation' }));
  state.pathA = new URL(page.url()).pathname;
  assert.match(state.pathA, /^\/conversations\/\d+$/);
  assert.ok((await bodyText(page)).includes(`Conversation « ${NAME} » créée`), await bodyText(page));
  await checked(page, state.a, state.pathA, 'conversation on the host (A)');
});

step('the invitation reaches Bruno on B; he accepts and Camille sees him arrive live', async () => {
  const page = state.bruno;
  await reloadUntil(
    page,
    state.b,
    '/conversations',
    async () => (await bodyText(page)).includes(`vous invite à la conversation « ${NAME} »`),
    { timeoutMs: FEDERATION_TIMEOUT_MS, instances: INSTANCES() },
  );
  await checked(page, state.b, '/conversations', 'messages with an invitation (B)');
  await goto(state.camille, state.a, state.pathA);
  await streamOpen(state.camille);
  await clickAndWaitForPage(page, page.locator('.conversation-invitation button[value=accept]'));
  state.pathB = new URL(page.url()).pathname;
  assert.match(state.pathB, /^\/conversations\/\d+$/);
  await state.camille
    .locator('#conversation-lines', { hasText: 'a rejoint la conversation |' })
    .waitFor({ timeout: FEDERATION_TIMEOUT_MS });
});

step('they chat live across the instances', async () => {
  const { camille, bruno } = state;
  await goto(bruno, state.b, state.pathB);
  await streamOpen(bruno);
  await goto(camille, state.a, state.pathA);
  await streamOpen(camille);
  // Neither page is left nor reloaded: the sender's form is sent by its
  // script, the receiver's page shows the new line from the stream.
  const brunoMark = await markPage(bruno);
  const camilleMark = await markPage(camille);
  await sendMessage(camille, 'Bonjour Bruno, on commence *lundi* ?', 'on commence lundi');
  await bruno.locator('#conversation-lines em', { hasText: 'lundi' }).waitFor({ timeout: FEDERATION_TIMEOUT_MS });
  await stillSamePage(bruno, brunoMark, 'Bruno receiving');
  await sendMessage(bruno, 'Lundi me va très bien 😀');
  await camille
    .locator('#conversation-lines', { hasText: 'Lundi me va très bien 😀' })
    .waitFor({ timeout: FEDERATION_TIMEOUT_MS });
  await stillSamePage(camille, camilleMark, 'Camille sending, then receiving');
  // Each line once, in the same order on both pages.
  const messages = async (page) => (await page.locator('#conversation-lines .message-body').allInnerTexts())
    .map((text) => text.trim());
  assert.deepEqual(await messages(camille), ['Bonjour Bruno, on commence lundi ?', 'Lundi me va très bien 😀']);
  assert.deepEqual(await messages(bruno), await messages(camille));
  await checked(bruno, state.b, state.pathB, 'conversation on the participant’s instance (B)');
  await checked(camille, state.a, state.pathA, 'conversation with messages (A)');
});

/** Percentile `p` of sorted `values`. */
const percentile = (values, p) => values[Math.min(values.length - 1, Math.ceil((p / 100) * values.length) - 1)];
/** `label: n · p50 · p99 · max` of `values` (ms). */
function summary(label, values) {
  const sorted = [...values].sort((x, y) => x - y);
  return `${label}: n ${sorted.length} · p50 ${percentile(sorted, 50)} ms · p99 ${percentile(sorted, 99)} ms · max ${sorted.at(-1)} ms`;
}

// Two clocks. As Playwright sees it: from before the click to the end of
// `waitFor`, which polls the page 20, 50, 100, 100 ms apart and then every
// 500 ms (playwright-core's retry backoff), so a figure is rounded up to its
// next poll. In the pages: the `click` on « Envoyer » and the moment the
// line is in the other page (a MutationObserver), both read from
// `Date.now()` of the same machine; with, on the receiving page, when its
// read of the new lines started and ended (Resource Timing).
step('latency: from a click on Envoyer to the text on the other instance’s page', async (t) => {
  const n = Number(process.env.PREAU_CHAT_LATENCY_N ?? 0);
  if (!n) {
    t.skip('PREAU_CHAT_LATENCY_N is not set');
    return;
  }
  const { camille, bruno } = state;
  const figures = [];
  for (const [label, from, fromInst, fromPath, to, toInst, toPath] of [
    ['A → B', camille, state.a, state.pathA, bruno, state.b, state.pathB],
    ['B → A', bruno, state.b, state.pathB, camille, state.a, state.pathA],
  ]) {
    await goto(to, toInst, toPath);
    await streamOpen(to);
    await goto(from, fromInst, fromPath);
    const fromMark = await markPage(from);
    const toMark = await markPage(to);
    await from.evaluate(() => {
      document.addEventListener('click', (event) => {
        if (event.target.closest && event.target.closest('#message-form button[type=submit]')) {
          window.preauClickedAt = Date.now();
        }
      }, true);
    });
    await to.evaluate(() => {
      const lines = document.getElementById('conversation-lines');
      new MutationObserver(() => {
        if (!window.preauSeenAt && window.preauAwaited && lines.textContent.includes(window.preauAwaited)) {
          window.preauSeenAt = Date.now();
        }
      }).observe(lines, { childList: true, subtree: true, characterData: true });
    });
    const polled = [];
    const inPages = [];
    const untilRead = [];
    const reading = [];
    for (let i = 0; i < n + 3; i++) {
      const text = `Mesure ${label} ${i}`;
      await to.evaluate((awaited) => {
        window.preauAwaited = awaited;
        window.preauSeenAt = 0;
        performance.clearResourceTimings();
      }, text);
      await from.locator('#message-body').fill(text);
      const started = Date.now();
      await from.getByRole('button', { name: 'Envoyer', exact: true }).click();
      await to.locator('#conversation-lines', { hasText: text }).waitFor({ timeout: FEDERATION_TIMEOUT_MS });
      const elapsed = Date.now() - started;
      const clickedAt = await from.evaluate(() => window.preauClickedAt);
      const seen = await to.evaluate(() => {
        const read = performance.getEntriesByType('resource')
          .filter((entry) => entry.name.includes('/lines?after=') && entry.responseEnd > 0)
          .map((entry) => ({
            start: performance.timeOrigin + entry.startTime,
            end: performance.timeOrigin + entry.responseEnd,
          }));
        return { at: window.preauSeenAt, read: read.find((entry) => entry.end <= window.preauSeenAt + 1) ?? null };
      });
      // The sender's answer is in before the next message.
      await from.waitForFunction(() => document.getElementById('message-body')?.value === '', null, { timeout: FEDERATION_TIMEOUT_MS });
      await streamOpen(to);
      if (i >= 3) {
        polled.push(elapsed);
        inPages.push(seen.at - clickedAt);
        if (seen.read) {
          untilRead.push(Math.round(seen.read.start - clickedAt));
          reading.push(Math.round(seen.read.end - seen.read.start));
        }
      }
    }
    await stillSamePage(from, fromMark, `${label}: the sender`);
    await stillSamePage(to, toMark, `${label}: the receiver`);
    figures.push(summary(`${label}, as Playwright sees it`, polled));
    figures.push(summary(`${label}, in the pages`, inPages));
    figures.push(summary(`${label}, click → the receiving page asks for its new lines`, untilRead));
    figures.push(summary(`${label}, reading the new lines`, reading));
  }
  console.log(`browser-to-browser latency (${process.env.PREAU_BROWSER_DATABASE ?? 'sqlite'}):\n  ${figures.join('\n  ')}`);
});

// The host checks the conversation's lowest trust level at every message:
// once A no longer holds B for associative, Bruno's next message is refused
// there, and his own page says so where the message stands.
step('the host refuses a message once B is below the conversation’s level; Bruno sees why', async () => {
  const { camille, bruno } = state;
  const LABELLED = 'Projet labellisé';
  // Camille, A's admin, holds B for associative (B's own claim, unverified,
  // leaves it informal at A).
  const setLevel = async (level, note) => {
    await goto(camille, state.a, '/admin/instances');
    const row = camille.locator('tr', { hasText: state.b.domain });
    await row.locator('select[name=level]').selectOption(level);
    await row.locator('input[name=note]').fill(note);
    await clickAndWaitForPage(camille, row.getByRole('button', { name: 'Enregistrer' }));
  };
  await setLevel('associative', 'Association partenaire');
  await goto(camille, state.a, '/conversations');
  await camille.locator('#conversation-name').fill(LABELLED);
  await camille.locator('#conversation-min-level').selectOption('associative');
  await camille.getByLabel(new RegExp(BRUNO.name)).check();
  await clickAndWaitForPage(camille, camille.getByRole('button', { name: 'Commencer la conversation' }));
  const pathA = new URL(camille.url()).pathname;
  await reloadUntil(
    bruno,
    state.b,
    '/conversations',
    async () => (await bodyText(bruno)).includes(`vous invite à la conversation « ${LABELLED} »`),
    { timeoutMs: FEDERATION_TIMEOUT_MS, instances: INSTANCES() },
  );
  await clickAndWaitForPage(
    bruno,
    bruno.locator('.conversation-invitation', { hasText: LABELLED }).locator('button[value=accept]'),
  );
  const pathB = new URL(bruno.url()).pathname;
  await goto(camille, state.a, pathA);
  await camille
    .locator('#conversation-lines', { hasText: 'a rejoint la conversation |' })
    .waitFor({ timeout: FEDERATION_TIMEOUT_MS });
  // A's admin withdraws the level; Bruno writes.
  await setLevel('none', '');
  await goto(bruno, state.b, pathB);
  await streamOpen(bruno);
  await sendMessage(bruno, 'Voici le dossier pour le label');
  await bruno
    .locator('#conversation-lines', { hasText: 'Refusé par l’instance qui accueille la conversation' })
    .waitFor({ timeout: FEDERATION_TIMEOUT_MS });
  const text = await bodyText(bruno);
  assert.ok(text.includes('Les autres participants ne l’ont pas reçu.'), text);
  assert.ok(
    text.includes('Cette conversation n’accepte pas de participants de ce niveau de confiance. Les autres'),
    `the host's reason in Bruno's language: ${text}`,
  );
  assert.ok(!text.includes('..'), `the reason's own full stop is not doubled: ${text}`);
  await checked(bruno, state.b, pathB, 'a message refused by the host (B)');
  await goto(camille, state.a, pathA);
  assert.ok(!(await bodyText(camille)).includes('Voici le dossier pour le label'), 'the host never shows it');
});
