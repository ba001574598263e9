// Interop test of Préau's project spaces against Fedify (npm
// @fedify/fedify), an ActivityPub implementation written by other people.
//
// A real `preau serve` and two real Fedify servers (in this process, each on
// its own loopback port, hence two instances for Préau) talk over HTTP:
//
//  1. a Préau teacher creates projects through the JSON API and invites
//     Fedify's `claude` (server `alpha`) by handle; claude's inbox listener
//     gets the `Invite` (Fedify verified its signature; it is checked again
//     by hand) and answers `Accept` with `ctx.sendActivity`; the API then
//     lists claude as a member;
//  2. the teacher opens a thread in the project's forum; claude receives the
//     project's `Announce` of the `Create(Page)`, addressed to the members
//     collection and never to the public, and reads the `Page` and the
//     members collection with signed fetches from Fedify's document loader;
//  3. `zoe` (server `beta`, no member there) is refused: her signed fetches
//     of the page and of the members collection get 403 `not_a_member`,
//     unsigned ones 401, her `Create(Note)` to the project 403
//     `not_project_member`; she received nothing from Préau;
//  4. `jules` (server `beta`) sends a `Join` to a project taken by
//     invitation only and gets the project's signed `Reject`.
//
// Members-only reads are granted per instance (an instance hosting a current
// member may read), so the outsider lives on a second Fedify server.
// The servers, the network guard and the signature helpers are in lib.mjs.
// Run it with `bash tests/interop/run.sh` from the repository root; see that
// script for the environment variables.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import {
  ACTIVITY_JSON,
  WAIT_MS,
  api,
  answerLater,
  backgroundSends,
  createTeacher,
  databaseKind,
  explained,
  finish,
  inbound,
  inboundCarrying,
  listenerErrors,
  loaders,
  outgoing,
  preau,
  preparePreau,
  reads,
  realFetch,
  receivedBy,
  recordActivity,
  refusedUrls,
  startFedify,
  startPreau,
  tail,
  verifyPreauSignature,
  waitFor,
} from "./lib.mjs";

const { Accept, Create, Group, Invite, Join, Note, Page, PUBLIC_COLLECTION, lookupObject } =
  await import("@fedify/fedify/vocab");

const PROJECT = "eco";
const CLOSED_PROJECT = "atelier";
const TEACHER = "anne";
const THREAD_TITLE = "Calendrier des rencontres";
const PUBLIC_ADDRESSES = new Set([
  PUBLIC_COLLECTION.href,
  "as:Public",
  "Public",
]);

let alpha; // Fedify server hosting claude, who becomes a member
let beta; // Fedify server hosting zoe and jules, who are not members
let projectId; // BASE/projects/eco
let closedProjectId; // BASE/projects/atelier
let membersId; // BASE/projects/eco/members
let teacherToken = null;

/** claude accepts every invitation into a project, from its listener. */
function setUpAlphaInbox(listeners) {
  listeners.on(Invite, async (ctx, invite) => {
    await recordActivity(ctx, invite);
    if (ctx.recipient !== "claude") return;
    if (invite.targetId?.href !== ctx.getActorUri("claude").href) return;
    // Answer outside the request that delivered the Invite.
    answerLater("accept-invite", invite, { invite: invite.id?.href }, async () => {
      const project = await invite.getObject(ctx);
      if (!(project instanceof Group) || project.inboxId == null) {
        throw new Error(`claude: the invitation's object ${invite.objectId?.href} is not a Group`);
      }
      const accept = new Accept({
        id: new URL(`${alpha.origin}/activities/accept-${randomUUID()}`),
        actor: ctx.getActorUri("claude"),
        object: invite,
        to: project.id,
      });
      await ctx.sendActivity({ identifier: "claude" }, project, accept);
      return accept;
    });
  });
}

/** Everything that mentions the public collection, anywhere in `value`. */
function publicMentions(value, path = "$") {
  if (typeof value === "string") return PUBLIC_ADDRESSES.has(value) ? [path] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => publicMentions(v, `${path}[${i}]`));
  if (value != null && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => publicMentions(v, `${path}.${k}`));
  }
  return [];
}

/** `to` as a list (Fedify and others may send a single string). */
function asList(value) {
  if (value == null) return [];
  return Array.isArray(value) ? value : [value];
}

async function actorDocument(url) {
  const response = await realFetch(url, { headers: { accept: ACTIVITY_JSON } });
  assert.equal(response.status, 200, `GET ${url} answered ${response.status}`);
  return response.json();
}

/** The project as the teacher sees it through the API. */
async function projectView(name) {
  const view = await api("GET", `/projects/${name}`, { token: teacherToken });
  assert.equal(view.status, 200, `GET /api/v1/projects/${name} answered ${view.status}: ${view.text}`);
  return view.json;
}

function membershipOf(view, handle) {
  for (const list of ["members", "pending", "former"]) {
    const found = (view[list] ?? []).find((m) => m.person.handle === handle);
    if (found) return found;
  }
  return null;
}

/** A signed GET with `identifier`'s key through Fedify's own document loader. */
async function signedLoad(server, identifier, url) {
  const loader = await server.context().getDocumentLoader({ identifier });
  return loader(url);
}

/** Whether `request` (to Fedify) delivered to `path` an Announce of the thread. */
function announcesThread(request, path) {
  if (request.method !== "POST" || request.url !== path) return false;
  try {
    const body = JSON.parse(request.body);
    return body.type === "Announce" && body.object?.object?.id === currentThreadId;
  } catch {
    return false;
  }
}

let currentThreadId = null; // ap_id of the thread the teacher opened

/** The last answer Fedify got for a GET of `url`. */
function lastRead(url) {
  return reads.filter((r) => r.url === url).at(-1);
}

// ---------------------------------------------------------------------------
describe(`Préau project spaces (${databaseKind}) and Fedify`, () => {
  let thread = null; // the thread as the API returned it
  let announce = null; // the raw Announce claude received

  before(async () => {
    await explained(async () => {
      await preparePreau("preau-interop-projects-");
      projectId = `${preau.origin}/projects/${PROJECT}`;
      closedProjectId = `${preau.origin}/projects/${CLOSED_PROJECT}`;
      membersId = `${projectId}/members`;
      alpha = await startFedify(
        "alpha",
        { claude: { kind: "Person", name: "Claude (Fedify)", ed25519: true } },
        setUpAlphaInbox,
      );
      beta = await startFedify("beta", {
        zoe: { kind: "Person", name: "Zoé (Fedify)", ed25519: false },
        jules: { kind: "Person", name: "Jules (Fedify)", ed25519: false },
      });
      await startPreau();
      teacherToken = await createTeacher(TEACHER);
    });
  });

  after(finish);

  it("a teacher creates projects through the API; Fedify reads them as Groups", async () => {
    await explained(async () => {
      const created = await api("POST", "/projects", {
        token: teacherToken,
        body: {
          name: PROJECT,
          title: "Éco-délégués en réseau",
          description: "Un projet **inter-académique**",
          subjects: ["SVT"],
          join_mode: "request",
        },
      });
      assert.equal(created.status, 201, `POST /api/v1/projects answered ${created.status}: ${created.text}`);
      assert.equal(created.json.project.actor_id, projectId);
      assert.equal(created.json.me.owner, true);
      const closed = await api("POST", "/projects", {
        token: teacherToken,
        body: { name: CLOSED_PROJECT, title: "Atelier sur invitation", join_mode: "invite" },
      });
      assert.equal(closed.status, 201, closed.text);

      const group = await lookupObject(projectId, { ...loaders, crossOrigin: "throw" });
      assert.ok(group instanceof Group, `lookupObject(${projectId}) gave ${group?.constructor?.name ?? group}`);
      assert.equal(group.inboxId?.href, `${projectId}/inbox`);
      const raw = await actorDocument(projectId);
      assert.equal(raw.groupKind, "project");
      assert.equal(raw.members, membersId);
      assert.equal(raw.joinMode, "request");
    });
  });

  it("the teacher invites claude (Fedify) by handle; claude's inbox gets a verified, signed Invite", async () => {
    await explained(async () => {
      const handle = `claude@${alpha.host}`;
      const invited = await api("POST", `/projects/${PROJECT}/invite`, {
        token: teacherToken,
        body: { handle },
      });
      assert.equal(invited.status, 201, `invite answered ${invited.status}: ${invited.text}`);
      assert.equal(invited.json.membership.state, "invited");
      assert.equal(invited.json.membership.person.actor_id, alpha.actorUri("claude").href);

      // Reaching the listener means Fedify verified the HTTP signature.
      const teacherId = `${preau.origin}/users/${TEACHER}`;
      const got = await waitFor("an Invite in claude's inbox", () =>
        receivedBy("claude", "Invite", (r) => r.actorId === teacherId)[0],
      );
      assert.equal(got.objectId, projectId);
      const request = inboundCarrying(got.id, "/users/claude/inbox");
      assert.ok(request, `no raw request to /users/claude/inbox found for ${got.id}`);
      assert.equal(request.status, 202, `Fedify's inbox answered ${request.status}`);
      const teacherDoc = await actorDocument(teacherId);
      verifyPreauSignature(request, teacherDoc.publicKey.publicKeyPem, `${teacherId}#main-key`);
      const raw = JSON.parse(request.body);
      assert.equal(raw.type, "Invite");
      assert.match(raw.id, new RegExp(`^${preau.origin}/memberships/`));
      assert.equal(raw.actor, teacherId);
      assert.equal(raw.object, projectId);
      assert.equal(raw.target, alpha.actorUri("claude").href);
      assert.deepEqual(asList(raw.to), [alpha.actorUri("claude").href]);
      assert.deepEqual(asList(raw.cc), [projectId]);
      assert.deepEqual(publicMentions(raw), [], "an invitation is not public");
    });
  });

  it("claude answers Accept (ctx.sendActivity); Préau records claude as a member", async () => {
    await explained(async () => {
      const sending = await waitFor("claude to start sending its Accept", () =>
        backgroundSends.find((s) => s.kind === "accept-invite"),
      );
      const accept = await Promise.race([
        sending.promise,
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error("claude's Accept was not delivered in time")), WAIT_MS),
        ),
      ]);
      const posts = outgoing.filter((o) => o.sent != null && JSON.parse(o.sent).id === accept.id.href);
      assert.ok(posts.length > 0, "the Accept was not sent");
      const last = posts.at(-1);
      assert.equal(last.url, `${projectId}/inbox`);
      assert.equal(last.spec, "draft-cavage", `the accepted delivery used ${last.spec}`);
      assert.equal(last.status, 202, `the project's inbox answered ${last.status} ${last.body ?? ""}`);
      // What Fedify sent answers the Invite by its id (embedded or not).
      const object = JSON.parse(last.sent).object;
      assert.equal(typeof object === "string" ? object : object?.id, sending.invite);

      const handle = `claude@${alpha.host}`;
      const view = await waitFor(`${handle} listed as a member`, async () => {
        const view = await projectView(PROJECT);
        return membershipOf(view, handle)?.state === "member" ? view : false;
      });
      const claude = membershipOf(view, handle);
      assert.equal(claude.role, "member");
      assert.equal(claude.person.local, false);
      assert.ok(
        view.log.some((entry) => entry.kind === "joined" && entry.actor?.handle === handle),
        `no "joined" line in the log: ${JSON.stringify(view.log)}`,
      );
      const requests = await api("GET", "/me/requests", { token: teacherToken });
      assert.equal(requests.status, 200, requests.text);
      assert.ok(
        requests.json.sent.some((s) => s.person.handle === handle && s.state === "member"),
        `Mes demandes does not show the accepted invitation: ${requests.text}`,
      );
    });
  });

  it("a thread reaches claude as the project's Announce of Create(Page), to members only", async () => {
    await explained(async () => {
      const created = await api("POST", `/projects/${PROJECT}/threads`, {
        token: teacherToken,
        body: { title: THREAD_TITLE, body: "Proposition : **mardi** après-midi." },
      });
      assert.equal(created.status, 201, `POST threads answered ${created.status}: ${created.text}`);
      thread = created.json;
      currentThreadId = thread.ap_id;

      const deliveries = () => inbound.filter((r) => announcesThread(r, "/users/claude/inbox"));
      const request = await waitFor("an Announce of the thread delivered to claude's inbox", () =>
        deliveries().find((r) => r.status != null),
      );
      assert.equal(request.status, 202, `Fedify's inbox answered ${request.status}`);
      // Reaching the listener means Fedify verified the project's signature.
      const announceId = JSON.parse(request.body).id;
      await waitFor("claude's inbox listener to get the Announce", () =>
        receivedBy("claude", "Announce", (r) => r.id === announceId && r.actorId === projectId)[0],
      );
      const projectDoc = await actorDocument(projectId);
      verifyPreauSignature(request, projectDoc.publicKey.publicKeyPem, `${projectId}#main-key`);
      announce = JSON.parse(request.body);
      assert.equal(announce.type, "Announce");
      assert.equal(announce.actor, projectId);
      assert.deepEqual(asList(announce.to), [membersId]);
      const create = announce.object;
      assert.equal(create.type, "Create");
      assert.equal(create.actor, `${preau.origin}/users/${TEACHER}`);
      assert.deepEqual(asList(create.to), [membersId]);
      const page = create.object;
      assert.equal(page.type, "Page");
      assert.equal(page.id, thread.ap_id);
      assert.equal(page.name, THREAD_TITLE);
      assert.equal(page.audience, projectId);
      assert.deepEqual(asList(page.to), [membersId]);
      assert.deepEqual(publicMentions(announce), [], "members-only content addressed to the public");
      // Exactly one copy.
      assert.equal(deliveries().length, 1, `claude received ${deliveries().length} Announces of the thread`);
    });
  });

  it("claude reads the Page and the members collection with signed fetches (Fedify's document loader)", async () => {
    await explained(async () => {
      assert.ok(thread, "no thread (previous test failed)");
      const { document } = await signedLoad(alpha, "claude", thread.ap_id);
      assert.equal(document.id, thread.ap_id);
      const read = lastRead(thread.ap_id);
      assert.equal(read.spec, "draft-cavage", `the successful read used ${read.spec}`);
      assert.equal(read.status, 200);
      const page = await Page.fromJsonLd(document, loaders);
      assert.equal(page.id?.href, thread.ap_id);
      assert.equal(String(page.name), THREAD_TITLE);
      assert.match(String(page.content), /<strong>mardi<\/strong>/);
      assert.equal(page.audienceId?.href, projectId);
      assert.deepEqual(page.toIds.map((u) => u.href), [membersId]);

      const members = (await signedLoad(alpha, "claude", membersId)).document;
      const items = members.orderedItems ?? members.items ?? members.first?.orderedItems ?? [];
      const actors = items.map((m) => m.actor);
      assert.ok(
        actors.includes(alpha.actorUri("claude").href),
        `claude is not in the members collection: ${tail(JSON.stringify(members), 1500)}`,
      );
      assert.ok(actors.includes(`${preau.origin}/users/${TEACHER}`));
    });
  });

  it("zoe (another Fedify instance, no member there) is refused: 403 signed, 401 unsigned", async () => {
    await explained(async () => {
      assert.ok(thread, "no thread (previous test failed)");
      for (const url of [thread.ap_id, membersId]) {
        const before = reads.length;
        await assert.rejects(signedLoad(beta, "zoe", url), `zoe's signed fetch of ${url} was not refused`);
        // Fedify knocks with both signature formats (in the order it
        // remembers for Préau); the draft-cavage one, which Préau verifies,
        // is refused as coming from an instance without members.
        const knocks = reads.slice(before).filter((r) => r.url === url);
        assert.deepEqual(
          knocks.map((r) => r.status).filter((status) => status < 400),
          [],
          `a read of ${url} by zoe succeeded`,
        );
        const draft = knocks.find((r) => r.spec === "draft-cavage");
        assert.ok(draft, `Fedify made no draft-cavage read of ${url}: ${JSON.stringify(knocks)}`);
        assert.equal(draft.status, 403, `zoe's signed fetch of ${url} answered ${draft.status}`);
        assert.equal(JSON.parse(draft.body ?? "{}")?.error?.code, "not_a_member", draft.body);

        const unsigned = await realFetch(url, { headers: { accept: ACTIVITY_JSON } });
        const text = await unsigned.text();
        assert.equal(unsigned.status, 401, `unsigned GET ${url} answered ${unsigned.status}: ${text}`);
        assert.doesNotMatch(text, new RegExp(THREAD_TITLE), "an unsigned read leaked the thread");
      }
    });
  });

  it("zoe's Create(Note) to the project is refused with 403 not_project_member; nothing is stored", async () => {
    await explained(async () => {
      const ctx = beta.context();
      const zoe = ctx.getActorUri("zoe");
      const project = await lookupObject(projectId, { ...loaders, crossOrigin: "throw" });
      const note = new Note({
        id: ctx.getObjectUri(Note, { id: `intrusion-${randomUUID()}` }),
        attribution: zoe,
        to: new URL(membersId),
        audience: project.id,
        content: "<p>Je m’invite.</p>",
      });
      const create = new Create({
        id: new URL(`${beta.origin}/activities/create-${randomUUID()}`),
        actor: zoe,
        object: note,
        to: new URL(membersId),
        cc: project.id,
        audience: project.id,
      });
      await assert.rejects(ctx.sendActivity({ identifier: "zoe" }, project, create));
      const posts = outgoing.filter((o) => o.url === `${projectId}/inbox` && o.sent != null && JSON.parse(o.sent).id === create.id.href);
      assert.ok(posts.length > 0, "Fedify made no POST to the project's inbox");
      // Both formats were tried (Fedify double-knocks, in the order it
      // remembers); the draft-cavage one, which Préau verifies, is refused
      // because zoe is not a member.
      assert.deepEqual(posts.filter((o) => o.status < 400), [], "a POST of zoe's Create was accepted");
      const draft = posts.find((o) => o.spec === "draft-cavage");
      assert.ok(draft, `no draft-cavage POST: ${JSON.stringify(posts)}`);
      assert.equal(draft.status, 403, `the project's inbox answered ${draft.status} ${draft.body ?? ""}`);
      assert.equal(JSON.parse(draft.body ?? "{}")?.error?.code, "not_project_member", draft.body);

      const threads = await api("GET", `/projects/${PROJECT}/threads`, { token: teacherToken });
      assert.equal(threads.status, 200, threads.text);
      assert.equal(threads.json.threads.length, 1, `threads: ${threads.text}`);
      assert.doesNotMatch(threads.text, /Je m’invite/);
    });
  });

  it("jules (Fedify) asks to join a project taken by invitation only and gets a signed Reject", async () => {
    await explained(async () => {
      const ctx = beta.context();
      const jules = ctx.getActorUri("jules");
      const project = await lookupObject(closedProjectId, { ...loaders, crossOrigin: "throw" });
      assert.ok(project instanceof Group);
      const join = new Join({
        id: new URL(`${beta.origin}/activities/join-${randomUUID()}`),
        actor: jules,
        object: project.id,
        to: project.id,
      });
      await ctx.sendActivity({ identifier: "jules" }, project, join);
      const sent = outgoing.filter((o) => o.sent != null && JSON.parse(o.sent).id === join.id.href).at(-1);
      assert.equal(sent.status, 202, `the project's inbox answered ${sent.status} ${sent.body ?? ""}`);

      const reject = await waitFor("a Reject in jules's inbox", () =>
        receivedBy("jules", "Reject", (r) => r.actorId === closedProjectId)[0],
      );
      const request = inboundCarrying(reject.id, "/users/jules/inbox");
      assert.ok(request, `no raw request carried ${reject.id}`);
      const projectDoc = await actorDocument(closedProjectId);
      verifyPreauSignature(request, projectDoc.publicKey.publicKeyPem, `${closedProjectId}#main-key`);
      const raw = JSON.parse(request.body);
      assert.equal(raw.type, "Reject");
      assert.equal(raw.actor, closedProjectId);
      const object = typeof raw.object === "string" ? { id: raw.object } : raw.object;
      assert.equal(object.id, join.id.href, `the Reject answers ${JSON.stringify(raw.object)}`);
      assert.deepEqual(asList(raw.to), [jules.href]);

      const view = await projectView(CLOSED_PROJECT);
      assert.equal(membershipOf(view, `jules@${beta.host}`), null, "a refused Join left a row");
    });
  });

  it("beta's actors got nothing from the project; no listener errors; nothing left loopback", async () => {
    await explained(async () => {
      for (const identifier of ["zoe", "jules"]) {
        assert.deepEqual(
          receivedBy(identifier, "Announce").map((r) => r.id),
          [],
          `${identifier} received Announces`,
        );
      }
      const toZoe = inbound.filter((r) => r.server === "beta" && r.method === "POST" && r.url === "/users/zoe/inbox");
      assert.deepEqual(toZoe.map((r) => r.body), [], "Préau delivered something to zoe");
      assert.deepEqual(listenerErrors.map(String), [], "errors in Fedify's listeners or sends");
      assert.deepEqual(refusedUrls, [], "something wanted documents from outside loopback");
    });
  });
});
