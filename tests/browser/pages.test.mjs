// Browser end-to-end test: every page of the web interface, as an anonymous
// visitor, a teacher, a forum moderator and an admin, at 1280 and 390 px wide
// (issue 13, "Everywhere").
//
// One `preau serve` child on loopback (teachers may create forums there, so the
// moderator is a teacher who made one), accounts made with the CLI, content made
// through the forms: a forum with a thread and replies, two projects (one open, with
// a second member, one on request), an event, a project thread, a contact request.
// Then every page listed in PAGES is visited by every role at both widths, and:
//   - axe-core finds no serious or critical violation;
//   - nothing is wider than the window (the widest elements are named);
//   - at 390 px the closed header is at most HEADER_MAX_PHONE_PX tall;
//   - the status is the one the table expects (200 unless said otherwise);
//   - a full-page screenshot is kept in tests/browser/artifacts/pages/.
// Problems are collected over all pages and reported together, so one run lists
// everything to fix.
//
// To add a page: one row in PAGES (a path, or a function of the content made in the
// set-up; `status` per role when it is not 200 for everyone).
//
// Run with `bash tests/browser/run.sh` from the repository root.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import dns from 'node:dns';
import path from 'node:path';

import { chromium } from 'playwright-core';
import {
  ARTIFACTS,
  bodyText,
  checkAccessibility,
  clickAndWaitForPage,
  createForum,
  createUser,
  expectNoAlert,
  formWith,
  goto,
  launchChromium,
  logIn,
  newInstance,
  newPages,
  postThread,
  setUp,
  startInstance,
  stepper,
  submitForm,
  tearDown,
} from './lib.mjs';

dns.setDefaultResultOrder('ipv4first');

const CONFIG = 'instance-config/institutional.toml';
const ADMIN = { name: 'lbernard', email: 'lucie.bernard@ac-rennes.fr', password: 'Craie-blanche-2024!' };
const MODERATOR = { name: 'ydupont', email: 'yann.dupont@ac-rennes.fr', password: 'Compas-rouge-2024!' };
const TEACHER = { name: 'cmartin', email: 'camille.martin@ac-rennes.fr', password: 'Tableau-noir-2024!' };
const FORUM = 'histoire_geo';
const OPEN_PROJECT = 'sortie_musee';
const REQUEST_PROJECT = 'correspondance';
const WIDTHS = [1280, 390];
/** The phone header, menu closed: brand, notification count and a "Menu" button on one line. */
const HEADER_MAX_PHONE_PX = 64;
const SHOTS = path.join(ARTIFACTS, 'pages');
const ROLES = ['anonymous', 'teacher', 'moderator', 'admin'];

const state = {
  a: newInstance('A', 'teachers may create forums'),
  browser: null,
  pages: {}, // role → page
  failed: false,
  axeFindings: [],
  dialogs: [],
  threadPath: null,
  projectThreadPath: null,
  problems: [],
};

/**
 * Every page of the web interface. `path` is a string or a function of `state`;
 * `status` gives, per role, the status expected when it is not 200 (a role missing
 * from it expects 200). A page that sends a role elsewhere (log-in first) is checked
 * where it lands.
 */
const PAGES = [
  { name: 'home', path: '/' },
  { name: 'charter', path: '/about/charter' },
  { name: 'signup', path: '/signup' },
  { name: 'login', path: '/login' },
  { name: 'verify-resend', path: '/verify/resend' },
  { name: 'verify-bad-token', path: '/verify?token=not-a-token', status: all(400) },
  { name: 'password-forgot', path: '/password/forgot' },
  { name: 'password-reset', path: '/password/reset?token=not-a-token' },
  { name: 'profile', path: `/users/${TEACHER.name}` },
  { name: 'profile-edit', path: '/settings/profile' },
  { name: 'settings-notifications', path: '/settings/notifications' },
  { name: 'admin', path: '/admin', status: { teacher: 403, moderator: 403 } },
  { name: 'admin-instances', path: '/admin/instances', status: { teacher: 403, moderator: 403 } },
  { name: 'forums', path: '/forums' },
  { name: 'forum', path: `/forums/${FORUM}` },
  { name: 'thread', path: (s) => s.threadPath },
  { name: 'reports', path: `/forums/${FORUM}/reports`, status: { teacher: 403 } },
  { name: 'moderation-queue', path: '/moderation/reports' },
  { name: 'search', path: '/search?q=programme' },
  { name: 'projects', path: '/projects' },
  { name: 'project-new', path: '/projects/new' },
  { name: 'project', path: `/projects/${OPEN_PROJECT}` },
  { name: 'project-on-request', path: `/projects/${REQUEST_PROJECT}` },
  { name: 'project-edit', path: `/projects/${OPEN_PROJECT}/edit`, status: { moderator: 403, admin: 403 } },
  { name: 'project-forum', path: `/projects/${OPEN_PROJECT}/forum`, status: { admin: 403 } },
  { name: 'project-documents', path: `/projects/${OPEN_PROJECT}/documents`, status: { admin: 403 } },
  { name: 'project-agenda', path: `/projects/${OPEN_PROJECT}/agenda`, status: { admin: 403 } },
  { name: 'project-members', path: `/projects/${OPEN_PROJECT}/members` },
  { name: 'project-activity', path: `/projects/${OPEN_PROJECT}/activity` },
  { name: 'project-search', path: `/projects/${OPEN_PROJECT}/search?q=car`, status: { admin: 403 } },
  { name: 'project-thread', path: (s) => s.projectThreadPath, status: { anonymous: 403, admin: 403 } },
  { name: 'requests', path: '/requests' },
  { name: 'contacts', path: '/contacts' },
  { name: 'conversations', path: '/conversations' },
  { name: 'directory', path: '/directory' },
  { name: 'agenda', path: '/agenda' },
  { name: 'notifications', path: '/notifications' },
  { name: 'unsubscribe-bad-link', path: '/unsubscribe/1/replies/not-a-signature', status: all(403) },
  { name: 'error-404', path: '/no-such-page', status: all(404) },
  { name: 'error-404-project', path: '/projects/no_such_project', status: all(404) },
  { name: 'error-404-user', path: '/users/nobody_here', status: all(404) },
];

function all(status) {
  return Object.fromEntries(ROLES.map((role) => [role, status]));
}

const step = stepper(state, {
  prefix: 'pages',
  timeoutMs: 600_000,
  pages: () => Object.entries(state.pages),
});

setUp(state, async () => {
  await startInstance(state.a, {
    config: CONFIG,
    prefix: 'preau-browser-pages',
    extraEnv: { PREAU_FORUMS_MEMBERS_CAN_CREATE: 'true' },
  });
  await createUser(state.a, ADMIN, { admin: true });
  await createUser(state.a, MODERATOR);
  await createUser(state.a, TEACHER);
  state.browser = await launchChromium(chromium);
  const pages = await newPages(state.browser, ROLES.length, state.dialogs);
  ROLES.forEach((role, i) => {
    state.pages[role] = pages[i];
  });
});

tearDown(state, {
  prefix: 'pages',
  instances: () => [state.a],
  cleanUp: async () => {
    const serious = state.axeFindings.filter((f) => f.serious > 0).length;
    console.log(`axe: ${state.axeFindings.length} page checks, ${serious} with serious or critical violations`);
  },
});

/** Creates a project through the form as the logged-in `page`. */
async function createProject(page, { name, title, joinMode }) {
  await goto(page, state.a, '/projects/new');
  await page.locator('#project-name').fill(name);
  await page.locator('#project-title').fill(title);
  await page.locator('#project-description').fill(`Un projet pour **${title}**, entre collègues.`);
  await page.locator('#project-subjects').fill('histoire, français');
  await page.locator('#project-languages').fill('fr, en, br');
  await page.locator('#project-join-mode').selectOption(joinMode);
  const created = await submitForm(page, formWith(page, 'title').filter({ has: page.locator('input[name=name]') }));
  assert.ok(created.status() < 400, `creating ${name} answered ${created.status()}:\n${await bodyText(page)}`);
  await expectNoAlert(page, `creating the project ${name}`);
  assert.equal(new URL(page.url()).pathname, `/projects/${name}`);
}

step('the roles log in and make content: forum, thread and replies, projects, event, contact', async () => {
  const { admin, moderator, teacher } = state.pages;
  await logIn(admin, state.a, ADMIN);
  await logIn(moderator, state.a, MODERATOR);
  await logIn(teacher, state.a, TEACHER);

  // The moderator makes a forum (so moderates it) and opens a thread; the teacher replies twice.
  await createForum(moderator, state.a, { name: FORUM, title: 'Histoire-géographie', description: 'Entre collègues d’histoire-géo.' });
  state.threadPath = await postThread(moderator, state.a, {
    title: 'Le programme de quatrième : vos progressions ?',
    body: 'Je partage la mienne, **vos retours** sont bienvenus.',
  });
  for (const text of ['Merci ! Je commence par la Révolution française, au printemps.', 'Et une sortie aux Archives départementales en mai.']) {
    await goto(teacher, state.a, state.threadPath);
    const form = formWith(teacher, 'body').filter({ has: teacher.locator('#reply-body') });
    await form.locator('#reply-body').fill(text);
    await clickAndWaitForPage(teacher, form.locator('button[type=submit]:not([name=preview])'));
    await expectNoAlert(teacher, 'replying');
  }

  // The teacher makes an open project (the moderator joins it) and one on request.
  await createProject(teacher, { name: OPEN_PROJECT, title: 'Sortie au musée de Bretagne', joinMode: 'open' });
  await createProject(teacher, { name: REQUEST_PROJECT, title: 'Correspondance avec Cardiff', joinMode: 'request' });
  await goto(moderator, state.a, `/projects/${OPEN_PROJECT}`);
  const join = moderator.locator(`form[action="/projects/${OPEN_PROJECT}/join"] button[type=submit]`);
  assert.equal(await join.count(), 1, `no join button on the open project:\n${await bodyText(moderator)}`);
  await clickAndWaitForPage(moderator, join);
  await expectNoAlert(moderator, 'joining the open project');

  // An event and a project thread.
  await goto(teacher, state.a, `/projects/${OPEN_PROJECT}/agenda`);
  const agenda = teacher.locator('section#agenda');
  await agenda.locator('#event-title').fill('Visite guidée');
  await agenda.locator('#event-starts').fill('2031-05-12T09:30');
  await agenda.locator('#event-ends').fill('2031-05-12T12:00');
  await agenda.locator('#event-location').fill('Musée de Bretagne, Rennes');
  await clickAndWaitForPage(teacher, agenda.locator('button[type=submit]').last());
  await expectNoAlert(teacher, 'adding the event');
  await goto(teacher, state.a, `/projects/${OPEN_PROJECT}/forum`);
  const threads = teacher.locator(`form[action="/projects/${OPEN_PROJECT}/threads"]`);
  await threads.locator('#thread-title').fill('Qui réserve le car ?');
  await threads.locator('#thread-body').fill('Je peux appeler la compagnie lundi.');
  await clickAndWaitForPage(teacher, threads.locator('button[type=submit]:not([name=preview])'));
  await expectNoAlert(teacher, 'opening a project thread');
  state.projectThreadPath = new URL(teacher.url()).pathname;
  assert.match(state.projectThreadPath, new RegExp(`^/projects/${OPEN_PROJECT}/threads/\\d+$`), `after posting, on ${teacher.url()}`);

  // A contact request, moderator → teacher.
  await goto(moderator, state.a, `/users/${TEACHER.name}`);
  const ask = moderator.locator('form[action="/contacts"] button[type=submit]');
  assert.equal(await ask.count(), 1, `no contact button on the teacher's profile:\n${await bodyText(moderator)}`);
  await clickAndWaitForPage(moderator, ask);
  await expectNoAlert(moderator, 'asking for contact');
});

/** The elements wider than the window, deepest first: "tag.class#id (N px)". */
async function overflow(page) {
  return page.evaluate(() => {
    const limit = window.innerWidth;
    const scroll = document.documentElement.scrollWidth;
    if (scroll <= limit) return null;
    const wide = [];
    for (const el of document.body.querySelectorAll('*')) {
      const box = el.getBoundingClientRect();
      if (box.right > limit + 0.5 && box.width > 0) {
        // Only the innermost: skip an element when one of its children is wide too.
        const childWide = [...el.children].some((c) => c.getBoundingClientRect().right > limit + 0.5);
        if (childWide) continue;
        const name = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${
          typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : ''
        }`;
        wide.push(`${name} (right edge ${Math.round(box.right)} px, "${(el.textContent ?? '').trim().slice(0, 40)}")`);
      }
    }
    return { scroll, limit, wide: wide.slice(0, 5) };
  });
}

async function visitEveryPage(role) {
  const page = state.pages[role];
  const problems = [];
  await mkdir(SHOTS, { recursive: true });
  for (const entry of PAGES) {
    const pathname = typeof entry.path === 'function' ? entry.path(state) : entry.path;
    const expected = entry.status?.[role] ?? 200;
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 900 });
      const where = `${entry.name} (${role}, ${width} px, ${pathname})`;
      const response = await goto(page, state.a, pathname);
      await page.screenshot({ path: path.join(SHOTS, `${role}-${entry.name}-${width}.png`), fullPage: true });
      const landed = new URL(page.url()).pathname;
      // An anonymous visitor sent to the log-in form is expected for a personal page.
      const sentToLogin = role === 'anonymous' && landed === '/login' && pathname !== '/login';
      if (!sentToLogin && response.status() !== expected) {
        problems.push(`${where}: status ${response.status()}, expected ${expected} (landed on ${page.url()})`);
      }
      try {
        await checkAccessibility(page, where, state.axeFindings);
      } catch (err) {
        problems.push(err.message);
      }
      const wide = await overflow(page);
      if (wide) {
        problems.push(`${where}: ${wide.scroll} px of content in a ${wide.limit} px window; too wide: ${wide.wide.join('; ')}`);
      }
      if (width < 600) {
        const header = page.locator('header.site-header');
        const height = (await header.count()) ? await header.evaluate((el) => el.getBoundingClientRect().height) : null;
        if (height === null) {
          problems.push(`${where}: no site header (header.site-header)`);
        } else if (height > HEADER_MAX_PHONE_PX) {
          problems.push(`${where}: the header is ${Math.round(height)} px tall (at most ${HEADER_MAX_PHONE_PX} px, menu closed)`);
        }
      }
      // No raw error code as visible text on an error page: it stays in data-error-code.
      if (response.status() >= 400) {
        const codes = page.locator('[data-error-code]');
        const code = (await codes.count()) ? await codes.first().getAttribute('data-error-code') : null;
        const text = await bodyText(page);
        if (!code) problems.push(`${where}: an error page without data-error-code`);
        else if (text.includes(code)) problems.push(`${where}: the error code "${code}" is shown as text`);
      }
    }
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  state.problems.push(...problems);
}

// Each role's visit only collects problems, so every role is visited even when the
// first finds something; the last step reports them all.
for (const role of ROLES) {
  step(`every page as ${role === 'anonymous' ? 'an anonymous visitor' : `the ${role}`}, at 1280 and 390 px`, async () => {
    await visitEveryPage(role);
  });
}

step('on a phone the menu opens and closes without script, the notification count outside it', async () => {
  const page = state.pages.teacher;
  await page.setViewportSize({ width: 390, height: 900 });
  await goto(page, state.a, state.threadPath);
  const menu = page.locator('header.site-header details.nav-menu');
  const forums = menu.getByRole('link', { name: 'Forums', exact: true });
  assert.ok(!(await forums.isVisible()), 'the menu starts closed on a phone');
  assert.ok(await page.locator('#nav-notifications').isVisible(), 'the notification link stays visible with the menu closed');
  await menu.locator(':scope > summary').click();
  assert.ok(await forums.isVisible(), 'the menu shows its links once opened');
  assert.ok(await menu.getByRole('button', { name: 'Se déconnecter' }).isVisible(), 'the log-out button is in the menu');
  await checkAccessibility(page, 'thread with the phone menu open', state.axeFindings);
  await page.screenshot({ path: path.join(SHOTS, 'teacher-menu-open-390.png') });
  await menu.locator(':scope > summary').click();
  assert.ok(!(await forums.isVisible()), 'the menu closes again');
  // On a wide screen there is no "Menu" button: the links show.
  await page.setViewportSize({ width: 1280, height: 900 });
  assert.ok(await forums.isVisible(), 'the links show on a wide screen');
  assert.ok(!(await menu.locator(':scope > summary').isVisible()), 'no Menu button on a wide screen');
});

step('the icon is served as SVG, cached, and linked from every page', async () => {
  const page = state.pages.anonymous;
  await goto(page, state.a, '/');
  assert.equal(await page.locator('link[rel=icon]').getAttribute('href'), '/favicon.svg');
  for (const where of ['/favicon.svg', '/favicon.ico']) {
    const response = await page.request.get(`${state.a.base}${where}`);
    assert.equal(response.status(), 200, `${where} answered ${response.status()}`);
    assert.equal(response.headers()['content-type'], 'image/svg+xml', `${where} content type`);
    assert.match(response.headers()['cache-control'] ?? '', /max-age=\d+/, `${where} is cached`);
    assert.match(await response.text(), /^<svg /, `${where} is our SVG`);
  }
});

step('no page has a problem', async () => {
  const checked = PAGES.length * WIDTHS.length * ROLES.length;
  assert.equal(state.problems.length, 0, `${state.problems.length} problem(s) in ${checked} page views (screenshots in ${SHOTS}):\n${state.problems.join('\n')}`);
});
