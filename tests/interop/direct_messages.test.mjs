// Interop test of direct messages from the rest of the fediverse (issue 14)
// against Fedify (npm @fedify/fedify).
//
// A real `preau serve` and a Fedify server on loopback:
//
//  1. Fedify's `olga`, no contact of the Préau teacher `ines`, sends her a
//     direct Note (to ines only, a Mention of her, Mastodon's h-card link
//     first): it waits in ines's "Demandes de message"
//     (`GET /api/v1/conversations/requests`), her name taken out of the
//     text;
//  2. ines accepts and answers through the API: olga's inbox receives a
//     `Create` of a `Note`, its HTTP signature verified by Fedify,
//     addressed to olga only (`to` olga, `cc` empty), with a `Mention` of
//     olga that Fedify reads as one, the mention link first in the text,
//     and `inReplyTo` olga's note;
//  3. the answer's id is served to olga's server (a participant's, signed
//     fetch) and refused to another Fedify server's `zed` (no participant
//     there): 403 `not_a_participant` signed, 401 unsigned.
//
// Run it with `bash tests/interop/run.sh` (see lib.mjs and run.sh).

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import {
  ACTIVITY_JSON,
  api,
  assertOneMention,
  createReceived,
  databaseKind,
  explained,
  finish,
  loaders,
  lookedUp,
  preau,
  reads,
  realFetch,
  startWithFedify,
  waitFor,
} from "./lib.mjs";

const { Create, Mention, Note } = await import("@fedify/fedify/vocab");

const TEACHER = "ines";

let fed;
let outsider; // another Fedify server, with no participant
let replyId; // the id of the teacher's answer
let teacherToken;
let teacherId;
let olgaNoteId;
let conversationId;

describe(`Préau direct messages (${databaseKind}) and Fedify, both ways`, () => {
  before(async () => {
    await explained(async () => {
      let servers;
      ({ servers, teacherToken, teacherId } = await startWithFedify(
        "preau-interop-dm-",
        {
          "fedify-dm": { olga: { kind: "Person", name: "Olga (Fedify)" } },
          "fedify-dm-outsider": { zed: { kind: "Person", name: "Zed (Fedify)", ed25519: false } },
        },
        TEACHER,
      ));
      fed = servers["fedify-dm"];
      outsider = servers["fedify-dm-outsider"];
    });
  });

  after(finish);

  it("a Fedify direct Note to a Préau teacher waits in her message requests", async () => {
    await explained(async () => {
      const ctx = fed.context();
      const ines = await lookedUp(teacherId, "teacher");
      const olga = ctx.getActorUri("olga");
      olgaNoteId = new URL(`${fed.origin}/notes/dm-${randomUUID()}`);
      const note = new Note({
        id: olgaNoteId,
        attribution: olga,
        to: ines.id,
        content:
          `<p><span class="h-card" translate="no"><a href="${teacherId}" class="u-url mention">@<span>${TEACHER}</span></a></span>` +
          " Bonjour, pouvons-nous échanger sur votre projet ?</p>",
        tags: [new Mention({ href: ines.id, name: `@${TEACHER}@${preau.host}` })],
      });
      const create = new Create({
        id: new URL(`${fed.origin}/activities/create-${randomUUID()}`),
        actor: olga,
        object: note,
        to: ines.id,
      });
      await ctx.sendActivity({ identifier: "olga" }, ines, create);
      const requests = await waitFor("a message request for ines", async () => {
        const { json } = await api("GET", "/conversations/requests", { token: teacherToken });
        return json?.requests?.length >= 1 ? json.requests : false;
      });
      assert.equal(requests.length, 1, JSON.stringify(requests));
      assert.equal(requests[0].person.handle, `olga@${fed.host}`);
      assert.equal(requests[0].messages, 1);
      assert.equal(
        requests[0].last_html,
        "<p>Bonjour, pouvons-nous échanger sur votre projet ?</p>",
      );
      conversationId = requests[0].conversation_id;
      // Not among her conversations until she accepts.
      const list = await api("GET", "/conversations", { token: teacherToken });
      assert.equal(list.json.conversations.length, 0, list.text);
      // The same activity again changes nothing.
      await ctx.sendActivity({ identifier: "olga" }, ines, create);
      const again = await api("GET", "/conversations/requests", { token: teacherToken });
      assert.equal(again.json.requests[0].messages, 1, again.text);
    });
  });

  it("the teacher accepts and answers: Fedify receives a verified direct Note", async () => {
    await explained(async () => {
      const accepted = await api("POST", `/conversations/${conversationId}/accept-request`, {
        token: teacherToken,
      });
      assert.equal(accepted.status, 204, accepted.text);
      const list = await api("GET", "/conversations", { token: teacherToken });
      assert.equal(list.json.conversations[0].name, "Olga (Fedify)", list.text);
      assert.equal(list.json.conversations[0].state, "joined");
      const posted = await api("POST", `/conversations/${conversationId}/messages`, {
        token: teacherToken,
        body: { body: "Avec plaisir, écrivez-moi ici." },
      });
      assert.equal(posted.status, 201, posted.text);
      const olga = fed.actorUri("olga").href;
      const { create, raw } = await createReceived("olga", teacherId);
      replyId = raw.object.id;
      assert.deepEqual(raw.to, [olga]);
      assert.deepEqual(raw.cc, []);
      assert.equal(raw.object.type, "Note");
      assert.deepEqual(raw.object.to, [olga]);
      assert.deepEqual(raw.object.cc, []);
      assert.deepEqual(raw.object.tag, [
        { type: "Mention", href: olga, name: `@olga@${fed.host}` },
      ]);
      assert.equal(raw.object.inReplyTo, olgaNoteId.href);
      assert.ok(
        raw.object.content.startsWith(
          `<p><span class="h-card"><a href="${olga}" class="u-url mention">@<span>olga</span></a></span> Avec plaisir`,
        ),
        raw.object.content,
      );
      // Fedify reads it as a Note to olga, with a Mention of her.
      const object = await create.activity.getObject({ ...loaders });
      assert.ok(object instanceof Note, `the object is a ${object?.constructor?.name}`);
      assert.deepEqual(object.toIds.map((u) => u.href), [olga]);
      await assertOneMention(object, olga);
      assert.equal(object.replyTargetId?.href, olgaNoteId.href);
    });
  });

  it("the answer is served to olga's server, refused to a server without a participant", async () => {
    await explained(async () => {
      assert.ok(replyId, "no answer (previous test failed)");
      // Served as it was sent: a Note to olga only, with her Mention.
      const served = await signedLoad(fed, "olga", replyId);
      const note = served.document;
      assert.equal(note.id, replyId, JSON.stringify(note));
      assert.equal(note.type, "Note", JSON.stringify(note));
      assert.deepEqual(note.to, [fed.actorUri("olga").href], JSON.stringify(note));
      assert.match(note.content, /Avec plaisir/);
      const before = reads.length;
      await assert.rejects(signedLoad(outsider, "zed", replyId), `zed's signed fetch of ${replyId} was not refused`);
      // Fedify knocks with both signature formats; the draft-cavage one,
      // which Préau verifies, is refused: zed's server has no participant.
      const knocks = reads.slice(before).filter((r) => r.url === replyId);
      assert.deepEqual(
        knocks.map((r) => r.status).filter((status) => status < 400),
        [],
        `a read of ${replyId} by zed succeeded`,
      );
      const draft = knocks.find((r) => r.spec === "draft-cavage");
      assert.ok(draft, `Fedify made no draft-cavage read of ${replyId}: ${JSON.stringify(knocks)}`);
      assert.equal(draft.status, 403, `zed's signed fetch answered ${draft.status}`);
      assert.equal(JSON.parse(draft.body ?? "{}")?.error?.code, "not_a_participant", draft.body);
      const unsigned = await realFetch(replyId, { headers: { accept: ACTIVITY_JSON } });
      const text = await unsigned.text();
      assert.equal(unsigned.status, 401, `an unsigned GET answered ${unsigned.status}: ${text}`);
      assert.doesNotMatch(text, /Avec plaisir/, "an unsigned read leaked the answer");
    });
  });
});

/** A signed GET with `identifier`'s key through Fedify's own document loader. */
async function signedLoad(server, identifier, url) {
  const loader = await server.context().getDocumentLoader({ identifier });
  return loader(url);
}
