// Interop test of Préau's federated forums against Fedify (npm
// @fedify/fedify), an ActivityPub implementation written by other people.
//
// A real `preau serve` and a real Fedify server (in this process, on its own
// loopback port) talk to each other over HTTP:
//
//  1. Fedify's `alice` and `bob` follow the Préau forum `maths` and get the
//     forum's signed `Accept` (Fedify's inbox verified it);
//  2. alice posts a `Note` to the forum; Préau stores it sanitised and the
//     forum `Announce`s alice's `Create`, unchanged, to every follower;
//  3. requests forged with node:crypto (unsigned, body changed after signing,
//     stale Date, signature made with another key) are refused with 401 and a
//     stable code, and create nothing; the same request correctly signed is
//     accepted, so the refusals are about the forged field only;
//  4. a Préau teacher follows Fedify's `Group` actor `club`, which accepts
//     and then announces a `Create(Page)` to its followers; the thread shows
//     up in Préau's API.
//
// The servers, the network guard and the signature helpers are in lib.mjs.
// Run it with `bash tests/interop/run.sh` from the repository root; see that
// script for the environment variables (PREAU_BIN, PREAU_INTEROP_DATABASE,
// PREAU_TEST_POSTGRES_URL, PREAU_INTEROP_KEEP).

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPairSync, KeyObject, randomBytes, randomUUID } from "node:crypto";
import {
  ACTIVITY_JSON,
  WAIT_MS,
  api,
  answerLater,
  backgroundSends,
  databaseKind,
  explained,
  finish,
  inboundCarrying,
  listenerErrors,
  loaders,
  objects,
  outgoing,
  postToPreau,
  preau,
  preparePreau,
  realFetch,
  receivedBy,
  recordActivity,
  refusedUrls,
  runAdmin,
  startFedify,
  startPreau,
  tail,
  verifyPreauSignature,
  waitFor,
} from "./lib.mjs";

const { Accept, Announce, Create, Follow, Group, Note, Page, PUBLIC_COLLECTION, lookupObject } =
  await import("@fedify/fedify/vocab");

const FORUM = "maths";
const FORUM_TITLE = "Mathématiques";
const TEACHER = "dominique";
const TEACHER_EMAIL = "dominique@example.org";
const HOSTILE_CONTENT = "<p>Bonjour <script>alert(1)</script></p>";

let preauHost; // "localhost:PORT": the instance domain
let preauOrigin; // "http://localhost:PORT"
let forumId; // "http://localhost:PORT/forums/maths"
let fed; // the Fedify server (lib.mjs startFedify)
let fedifyHost; // "localhost:FEDIFYPORT"
let fedifyOrigin; // "http://localhost:FEDIFYPORT"

async function forumPage(handle) {
  const { status, json, text } = await api("GET", `/forums/${handle}`);
  assert.equal(status, 200, `GET /api/v1/forums/${handle} answered ${status}: ${tail(text, 500)}`);
  return json;
}

// ---------------------------------------------------------------------------
// The Fedify side: alice and bob (Person) and club (Group).

const ACTORS = {
  alice: { kind: "Person", name: "Alice (Fedify)", ed25519: true },
  bob: { kind: "Person", name: "Bob (Fedify)", ed25519: false },
  club: { kind: "Group", name: "Club de lecture (Fedify)", ed25519: false },
};

/** Only club (a group) accepts followers; lib.mjs records everything else. */
function setUpInbox(listeners, server) {
  listeners.on(Follow, async (ctx, follow) => {
    await recordActivity(ctx, follow);
    if (ctx.recipient !== "club") return;
    if (follow.objectId?.href !== ctx.getActorUri("club").href) return;
    const follower = await follow.getActor(ctx);
    if (follower == null || follower.id == null || follower.inboxId == null) {
      listenerErrors.push(new Error(`club: could not fetch the follower ${follow.actorId?.href}`));
      return;
    }
    if (!server.followersOf.has("club")) server.followersOf.set("club", new Map());
    server.followersOf.get("club").set(follower.id.href, follower);
    // Answer outside the request that delivered the Follow.
    const accept = new Accept({
      id: new URL(`${server.origin}/activities/${randomUUID()}`),
      actor: ctx.getActorUri("club"),
      object: follow,
      to: follower.id,
    });
    answerLater("accept", follow, { follower: follower.id.href }, async () => {
      await ctx.sendActivity({ identifier: "club" }, follower, accept);
      return accept;
    });
  });
}

function fedifyContext() {
  return fed.context();
}

function actorUri(identifier) {
  return fed.actorUri(identifier);
}

/** A Create(Note) by alice addressed to the Préau forum, as JSON text. */
function aliceCreateJson(marker) {
  const alice = actorUri("alice").href;
  const noteId = `${fedifyOrigin}/notes/${marker}-${randomUUID()}`;
  return JSON.stringify({
    "@context": "https://www.w3.org/ns/activitystreams",
    id: `${fedifyOrigin}/activities/${marker}-${randomUUID()}`,
    type: "Create",
    actor: alice,
    to: ["https://www.w3.org/ns/activitystreams#Public"],
    cc: [forumId],
    audience: forumId,
    object: {
      id: noteId,
      type: "Note",
      attributedTo: alice,
      to: ["https://www.w3.org/ns/activitystreams#Public"],
      cc: [forumId],
      audience: forumId,
      content: `<p>${marker}</p>`,
    },
  });
}

// ---------------------------------------------------------------------------
describe(`Préau forums (${databaseKind}) and Fedify, both ways`, () => {
  let forumActor = null; // Fedify's view of the Préau forum
  let aliceCreate = null; // the Create alice sent to the forum
  let teacherToken = null;

  before(async () => {
    await explained(async () => {
      await preparePreau("preau-interop-forums-");
      preauHost = preau.host;
      preauOrigin = preau.origin;
      forumId = `${preauOrigin}/forums/${FORUM}`;
      fed = await startFedify("fedify", ACTORS, setUpInbox);
      fedifyHost = fed.host;
      fedifyOrigin = fed.origin;
      await startPreau();
      // While the server runs, as an admin would.
      runAdmin(["create-forum", FORUM, "--title", FORUM_TITLE]);
    });
  });

  after(finish);

  it("Fedify finds the forum by handle and URL: a Group with an inbox on Préau", async () => {
    await explained(async () => {
      const byUrl = await lookupObject(forumId, { ...loaders, crossOrigin: "throw" });
      assert.ok(byUrl instanceof Group, `lookupObject(${forumId}) gave ${byUrl?.constructor?.name ?? byUrl}`);
      assert.equal(byUrl.id?.href, forumId);
      assert.equal(String(byUrl.preferredUsername), FORUM);
      assert.equal(byUrl.inboxId?.href, `${forumId}/inbox`);
      const byHandle = await lookupObject(`@${FORUM}@${preauHost}`, {
        ...loaders,
        allowPrivateAddress: true,
      });
      assert.ok(byHandle instanceof Group, `lookup of @${FORUM}@${preauHost} gave ${byHandle?.constructor?.name ?? byHandle}`);
      assert.equal(byHandle.id?.href, forumId);
      forumActor = byUrl;
    });
  });

  for (const identifier of ["alice", "bob"]) {
    it(`${identifier} (Fedify) follows the forum and gets a verified, forum-signed Accept`, async (t) => {
      await explained(async () => {
        assert.ok(forumActor, "no forum actor (the lookup test failed)");
        const ctx = fedifyContext();
        const follow = new Follow({
          id: new URL(`${fedifyOrigin}/activities/follow-${identifier}-${randomUUID()}`),
          actor: ctx.getActorUri(identifier),
          object: forumActor.id,
          to: forumActor.id,
        });
        const before = outgoing.length;
        // Throws if Préau's inbox refuses the Follow (with both signature
        // formats, since Fedify double-knocks).
        await ctx.sendActivity({ identifier }, forumActor, follow);
        const posts = outgoing.slice(before).filter((o) => o.url === forumActor.inboxId.href);
        assert.ok(posts.length > 0, "Fedify made no POST to the forum's inbox");
        const last = posts.at(-1);
        assert.equal(last.spec, "draft-cavage", `the accepted delivery used ${last.spec}`);
        assert.equal(last.status, 202, `the forum's inbox answered ${last.status}`);

        const accept = await waitFor(`an Accept of ${follow.id.href} in ${identifier}'s inbox`, () =>
          receivedBy(identifier, "Accept", (r) => r.actorId === forumId).find(
            (r) => r.objectId === follow.id.href || r.json?.object?.id === follow.id.href,
          ),
        );
        // Reaching the listener means Fedify verified the HTTP signature.
        // Check it again by hand, and what it covers.
        const request = inboundCarrying(accept.id, `/users/${identifier}/inbox`);
        assert.ok(request, `no raw request to /users/${identifier}/inbox found for ${accept.id}`);
        assert.equal(request.status, 202, `Fedify's inbox answered ${request.status}`);
        const forumDoc = await (
          await realFetch(forumId, { headers: { accept: ACTIVITY_JSON } })
        ).json();
        const { params } = verifyPreauSignature(request, forumDoc.publicKey.publicKeyPem, `${forumId}#main-key`);
        t.diagnostic(`Accept signed: algorithm="${params.algorithm}" headers="${params.headers}"`);
      });
    });
  }

  it("Fedify's first knock (RFC 9421) is refused with 401 signature_rfc9421_unsupported, then draft-cavage works", async () => {
    await explained(async () => {
      const posts = outgoing.filter((o) => o.url.startsWith(`${preauOrigin}/`));
      assert.ok(posts.length >= 2, `Fedify made ${posts.length} POSTs to Préau`);
      const [first, second] = posts;
      assert.equal(first.spec, "rfc9421", `Fedify's first POST to Préau was ${first.spec}`);
      assert.equal(first.status, 401, `the RFC 9421 knock was answered ${first.status} ${first.body ?? ""}`);
      assert.equal(second.spec, "draft-cavage", `the retry was ${second.spec}`);
      assert.equal(second.status, 202, `the draft-cavage retry was answered ${second.status} ${second.body ?? ""}`);
      // Préau means to say why (src/apub/inbox.rs), so that a sender can tell
      // "format not supported" from "bad signature".
      assert.equal(
        JSON.parse(first.body ?? "{}")?.error?.code,
        "signature_rfc9421_unsupported",
        `the RFC 9421 knock was refused as ${first.body}`,
      );
    });
  });

  it("alice posts a Note to the forum: Préau stores it sanitised, as a thread", async () => {
    await explained(async () => {
      assert.ok(forumActor, "no forum actor (the lookup test failed)");
      const ctx = fedifyContext();
      const alice = ctx.getActorUri("alice");
      const noteId = ctx.getObjectUri(Note, { id: `bonjour-${randomUUID()}` });
      const note = new Note({
        id: noteId,
        attribution: alice,
        to: PUBLIC_COLLECTION,
        cc: forumActor.id,
        audience: forumActor.id,
        content: HOSTILE_CONTENT,
      });
      objects.set(noteId.href, note);
      aliceCreate = new Create({
        id: new URL(`${fedifyOrigin}/activities/create-${randomUUID()}`),
        actor: alice,
        object: note,
        to: PUBLIC_COLLECTION,
        cc: forumActor.id,
        audience: forumActor.id,
      });
      await ctx.sendActivity({ identifier: "alice" }, forumActor, aliceCreate);

      const page = await waitFor("total_threads 1 in GET /api/v1/forums/maths", async () => {
        const page = await forumPage(FORUM);
        return page.total_threads >= 1 ? page : false;
      });
      assert.equal(page.total_threads, 1);
      const [thread] = page.threads;
      assert.equal(thread.ap_id, noteId.href);
      assert.equal(thread.author.actor_id, alice.href);
      assert.equal(thread.author.local, false);
      assert.equal(thread.author.handle, `alice@${fedifyHost}`);
      assert.match(thread.content_html, /Bonjour/);
      assert.doesNotMatch(thread.content_html, /<script/i, `script kept: ${thread.content_html}`);
      assert.doesNotMatch(thread.content_html, /alert\(1\)/, `script text kept: ${thread.content_html}`);
    });
  });

  const announcesOfAlice = new Map(); // follower -> raw request that carried the Announce

  it("the forum Announces alice's Create to bob and alice, signed by the forum", async () => {
    await explained(async () => {
      assert.ok(aliceCreate, "alice posted nothing (previous test failed)");
      const forumDoc = await (
        await realFetch(forumId, { headers: { accept: ACTIVITY_JSON } })
      ).json();
      for (const identifier of ["bob", "alice"]) {
        // Reaching the listener means Fedify verified the forum's signature.
        const announce = await waitFor(`an Announce of ${aliceCreate.id.href} in ${identifier}'s inbox`, () =>
          receivedBy(identifier, "Announce", (r) => r.actorId === forumId && r.objectId === aliceCreate.id.href)[0],
        );
        const request = inboundCarrying(announce.id, `/users/${identifier}/inbox`);
        assert.ok(request, `no raw request to /users/${identifier}/inbox found for ${announce.id}`);
        assert.equal(request.status, 202, `Fedify's inbox answered ${request.status}`);
        verifyPreauSignature(request, forumDoc.publicKey.publicKeyPem, `${forumId}#main-key`);
        const raw = JSON.parse(request.body);
        assert.equal(raw.type, "Announce");
        assert.equal(raw.actor, forumId);
        assert.equal(typeof raw.object, "object", `the Announce's object is ${JSON.stringify(raw.object)}`);
        assert.equal(raw.object.id, aliceCreate.id.href);
        // Sanitising is for display, not for relaying.
        assert.equal(raw.object.object?.content, HOSTILE_CONTENT);
        announcesOfAlice.set(identifier, raw);
      }
      // Exactly one copy each.
      for (const identifier of ["bob", "alice"]) {
        const copies = receivedBy(identifier, "Announce", (r) => r.objectId === aliceCreate.id.href);
        assert.equal(copies.length, 1, `${identifier} received ${copies.length} Announces of the Create`);
      }
    });
  });

  it("the Announce carries alice's Create unchanged, with her LD signature and FEP-8b32 proof (FEP-1b12)", async () => {
    await explained(async () => {
      const raw = announcesOfAlice.get("bob");
      assert.ok(raw, "bob received no Announce (previous test failed)");
      const sent = outgoing.find(
        (o) => o.status === 202 && o.sent != null && JSON.parse(o.sent).id === aliceCreate.id.href,
      );
      assert.ok(sent, "the Create as alice's server sent it was not recorded");
      const original = JSON.parse(sent.sent);
      assert.ok(original.proof, "Fedify sent alice's Create without an FEP-8b32 proof (test setup)");
      assert.ok(original.signature, "Fedify sent alice's Create without an LD signature (test setup)");
      const relayed = raw.object;
      const missing = Object.keys(original).filter((k) => !(k in relayed));
      const changed = Object.keys(original).filter(
        (k) => k in relayed && JSON.stringify(relayed[k]) !== JSON.stringify(original[k]),
      );
      const added = Object.keys(relayed).filter((k) => !(k in original));
      assert.deepEqual(
        { missing, changed, added },
        { missing: [], changed: [], added: [] },
        "the Create relayed by the forum is not the JSON alice's server sent:\n" +
          `sent:    ${tail(JSON.stringify(original), 1500)}\nrelayed: ${tail(JSON.stringify(relayed), 1500)}`,
      );
    });
  });

  it("forged requests to the forum's inbox are refused with 401 and create nothing", async () => {
    await explained(async () => {
      assert.ok(aliceCreate, "alice posted nothing (previous tests failed)");
      const [rsaPair] = fed.keyPairs.get("alice");
      const keyId = (await fedifyContext().getActorKeyPairs("alice"))[0].keyId.href;
      assert.equal(keyId, `${actorUri("alice").href}#main-key`);
      const privateKey = KeyObject.from(rsaPair.privateKey);
      const path = `/forums/${FORUM}/inbox`;
      const before = (await forumPage(FORUM)).total_threads;

      const cases = [
        {
          what: "an unsigned POST",
          code: "signature_missing",
          send: (body) => postToPreau(path, body, { unsigned: true }),
        },
        {
          what: "a POST whose body was changed after signing",
          code: "digest_mismatch",
          send: (body) =>
            postToPreau(path, body, { keyId, privateKey, signedBody: aliceCreateJson("innocent") }),
        },
        {
          what: "a POST signed with a Date two hours old",
          code: "date_out_of_range",
          send: (body) =>
            postToPreau(path, body, { keyId, privateKey, date: new Date(Date.now() - 2 * 3600_000) }),
        },
        {
          what: "a POST signed with another RSA key under alice's keyId",
          code: "signature_invalid",
          send: (body) =>
            postToPreau(path, body, {
              keyId,
              privateKey: generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey,
            }),
        },
      ];
      const forgedMarkers = [];
      for (const { what, code, send } of cases) {
        const marker = `forged-${code}`;
        forgedMarkers.push(marker);
        const response = await send(aliceCreateJson(marker));
        assert.equal(response.status, 401, `${what}: Préau answered ${response.status} ${response.text}`);
        assert.equal(
          response.json?.error?.code,
          code,
          `${what}: expected error code ${code}, got ${response.text}`,
        );
      }

      // The same request, correctly signed by the same code, is accepted:
      // the refusals above are about the forged field only.
      const control = await postToPreau(path, aliceCreateJson("control"), { keyId, privateKey });
      assert.equal(control.status, 202, `the correctly signed control answered ${control.status} ${control.text}`);
      const page = await waitFor(`the control thread (total_threads ${before + 1})`, async () => {
        const page = await forumPage(FORUM);
        return page.total_threads >= before + 1 ? page : false;
      });
      assert.equal(page.total_threads, before + 1, "a forged request created a thread");
      const contents = page.threads.map((t) => t.content_html).join("\n");
      assert.match(contents, /control/);
      for (const marker of forgedMarkers) {
        assert.doesNotMatch(contents, new RegExp(marker), `${marker} was stored`);
      }
    });
  });

  it("a Préau teacher follows Fedify's Group `club`; club's Accept is applied", async () => {
    await explained(async () => {
      const password = `interop-${randomBytes(12).toString("hex")}`;
      runAdmin(["create-user", TEACHER, "--email", TEACHER_EMAIL], `${password}\n`);
      const login = await api("POST", "/sessions", { body: { login: TEACHER, password } });
      assert.equal(login.status, 201, `log-in answered ${login.status}: ${login.text}`);
      teacherToken = login.json?.token;
      assert.ok(teacherToken, `no token in ${login.text}`);

      const handle = `club@${fedifyHost}`;
      const follow = await api("POST", "/forums/follow", { token: teacherToken, body: { handle } });
      assert.equal(follow.status, 202, `POST /api/v1/forums/follow ${handle} answered ${follow.status}: ${follow.text}`);
      assert.equal(follow.json?.handle, handle);
      assert.equal(follow.json?.actor_id, actorUri("club").href);
      assert.equal(follow.json?.local, false);

      // Préau's delivery worker sends the Follow; Fedify verifies it.
      const teacherId = `${preauOrigin}/users/${TEACHER}`;
      const received_ = await waitFor(`club's inbox to receive a Follow from ${teacherId}`, () =>
        receivedBy("club", "Follow", (r) => r.actorId === teacherId)[0],
      );
      const followRequest = inboundCarrying(received_.id);
      assert.ok(followRequest, `no raw request found for ${received_.id}`);
      const teacherDoc = await (
        await realFetch(teacherId, { headers: { accept: ACTIVITY_JSON } })
      ).json();
      verifyPreauSignature(followRequest, teacherDoc.publicKey.publicKeyPem, `${teacherId}#main-key`);

      // club's Accept: Préau applies it before answering, so once Fedify's
      // delivery resolved, the follow is accepted.
      const sending = await waitFor("club to start sending its Accept", () =>
        backgroundSends.find((s) => s.kind === "accept" && s.follower === teacherId),
      );
      await Promise.race([
        sending.promise,
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error("club's Accept was not delivered within 20 s")), WAIT_MS),
        ),
      ]);
      // Re-posting the follow is how the API tells the state; it sends
      // nothing new once accepted.
      const again = await api("POST", "/forums/follow", { token: teacherToken, body: { handle } });
      assert.equal(again.status, 202, again.text);
      assert.equal(again.json?.follow, "accepted", `follow state after club's Accept: ${again.text}`);
      const list = await api("GET", "/forums");
      assert.equal(list.status, 200, list.text);
      assert.ok(
        list.json.forums.some((f) => f.handle === handle && f.local === false),
        `GET /api/v1/forums does not list ${handle}: ${list.text}`,
      );
      const page = await forumPage(handle);
      assert.equal(page.forum.actor_id, actorUri("club").href);
      assert.equal(page.total_threads, 0);
    });
  });

  it("club announces a new thread (Create(Page) by alice); Préau shows it", async () => {
    await explained(async () => {
      assert.ok(teacherToken, "the teacher does not follow club (previous test failed)");
      const ctx = fedifyContext();
      const club = ctx.getActorUri("club");
      const alice = ctx.getActorUri("alice");
      const pageId = ctx.getObjectUri(Page, { id: `sortie-${randomUUID()}` });
      const page = new Page({
        id: pageId,
        attribution: alice,
        name: "Sortie au CDI <b>jeudi</b>",
        content: `<p>Qui vient ? <img src="x" onerror="alert(2)"><a href="javascript:alert(3)">lien</a></p>`,
        to: PUBLIC_COLLECTION,
        cc: club,
        audience: club,
      });
      objects.set(pageId.href, page);
      const create = new Create({
        id: new URL(`${fedifyOrigin}/activities/create-${randomUUID()}`),
        actor: alice,
        object: page,
        to: PUBLIC_COLLECTION,
        cc: club,
        audience: club,
      });
      const announce = new Announce({
        id: new URL(`${fedifyOrigin}/activities/announce-${randomUUID()}`),
        actor: club,
        object: create,
        to: PUBLIC_COLLECTION,
        cc: ctx.getFollowersUri("club"),
        audience: club,
      });
      const before = outgoing.length;
      await ctx.sendActivity({ identifier: "club" }, "followers", announce, { preferSharedInbox: true });
      const posts = outgoing.slice(before).filter((o) => o.url.startsWith(preauOrigin));
      assert.ok(posts.length > 0, "Fedify delivered club's Announce nowhere on Préau");
      // The teacher's actor advertises Préau's shared inbox.
      assert.equal(posts.at(-1).url, `${preauOrigin}/inbox`);
      assert.equal(posts.at(-1).status, 202, `Préau answered ${posts.at(-1).status} ${posts.at(-1).body ?? ""}`);

      const handle = `club@${fedifyHost}`;
      const forum = await waitFor(`a thread in GET /api/v1/forums/${handle}`, async () => {
        const forum = await forumPage(handle);
        return forum.total_threads >= 1 ? forum : false;
      });
      assert.equal(forum.total_threads, 1);
      const [thread] = forum.threads;
      assert.equal(thread.ap_id, pageId.href);
      assert.equal(thread.kind, "thread");
      assert.equal(thread.author.actor_id, alice.href);
      assert.match(thread.title, /Sortie au CDI/);
      assert.doesNotMatch(thread.title, /<b>/, `title keeps markup: ${thread.title}`);
      assert.match(thread.content_html, /Qui vient/);
      assert.doesNotMatch(thread.content_html, /onerror|javascript:|<script/i, `unsafe HTML kept: ${thread.content_html}`);
    });
  });

  it("Fedify's listeners saw no errors, and nothing was fetched off this machine", () => {
    assert.deepEqual(listenerErrors.map(String), [], "errors in Fedify's listeners or sends");
    assert.deepEqual(refusedUrls, [], "something wanted documents from outside loopback");
  });
});
