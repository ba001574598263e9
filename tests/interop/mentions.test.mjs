// Interop test of mentions (issue 12) against Fedify (npm @fedify/fedify).
//
// A real `preau serve` and a Fedify server on loopback:
//
//  1. Fedify's `carmen` posts a Note to the Préau forum `maths` whose tag
//     carries a `Mention` of the Préau teacher `dominique`: dominique gets
//     one notification of kind `mention`;
//  2. dominique opens a thread naming `@carmen@<fedify host>` (unknown to
//     Préau until then: looked up by WebFinger) and someone who does not
//     exist: the thread's `Create` reaches carmen's inbox, which verified
//     its signature, with a `Mention` tag for carmen and her id in `cc`; the
//     unknown name stays text.
//
// Run it with `bash tests/interop/run.sh` (see lib.mjs and run.sh).

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import {
  api,
  assertOneMention,
  createReceived,
  databaseKind,
  explained,
  finish,
  loaders,
  lookedUp,
  preau,
  runAdmin,
  startWithFedify,
  waitFor,
} from "./lib.mjs";

const { Create, Mention, Note, PUBLIC_COLLECTION } = await import("@fedify/fedify/vocab");

const FORUM = "maths";
const TEACHER = "dominique";

let fed;
let forumId;
let teacherToken;
let teacherId;

describe(`Préau mentions (${databaseKind}) and Fedify, both ways`, () => {
  before(async () => {
    await explained(async () => {
      let servers;
      ({ servers, teacherToken, teacherId } = await startWithFedify(
        "preau-interop-mentions-",
        { "fedify-mentions": { carmen: { kind: "Person", name: "Carmen (Fedify)", ed25519: true } } },
        TEACHER,
      ));
      fed = servers["fedify-mentions"];
      forumId = `${preau.origin}/forums/${FORUM}`;
      runAdmin(["create-forum", FORUM, "--title", "Mathématiques"]);
    });
  });

  after(finish);

  it("a Fedify Note mentioning a Préau teacher notifies the teacher, once", async () => {
    await explained(async () => {
      const ctx = fed.context();
      const forum = await lookedUp(forumId, "forum");
      const carmen = ctx.getActorUri("carmen");
      const note = new Note({
        id: new URL(`${fed.origin}/notes/mention-${randomUUID()}`),
        attribution: carmen,
        to: PUBLIC_COLLECTION,
        ccs: [forum.id, new URL(teacherId)],
        audience: forum.id,
        content: `<p><a href="${teacherId}">@${TEACHER}</a> une question pour toi</p>`,
        tags: [new Mention({ href: new URL(teacherId), name: `@${TEACHER}@${preau.host}` })],
      });
      const create = new Create({
        id: new URL(`${fed.origin}/activities/create-${randomUUID()}`),
        actor: carmen,
        object: note,
        to: PUBLIC_COLLECTION,
        ccs: [forum.id, new URL(teacherId)],
        audience: forum.id,
      });
      await ctx.sendActivity({ identifier: "carmen" }, forum, create);
      const list = await waitFor("a mention notification for dominique", async () => {
        const { json } = await api("GET", "/notifications", { token: teacherToken });
        return json?.unread >= 1 ? json : false;
      });
      assert.equal(list.unread, 1, JSON.stringify(list));
      assert.equal(list.items[0].kind, "mention");
      assert.equal(list.items[0].actor.handle, `carmen@${fed.host}`);
      // The same activity again changes nothing.
      await ctx.sendActivity({ identifier: "carmen" }, forum, create);
      const again = await api("GET", "/notifications", { token: teacherToken });
      assert.equal(again.json.unread, 1);
    });
  });

  it("a Préau thread mentioning a Fedify actor reaches her inbox, verified, with the Mention tag", async () => {
    await explained(async () => {
      const carmen = fed.actorUri("carmen").href;
      const body = `Bonjour @carmen@${fed.host}, et @personne@${fed.host} ; \`@carmen@${fed.host}\` en code.`;
      const posted = await api("POST", `/forums/${FORUM}/threads`, {
        token: teacherToken,
        body: { title: "Question de fractions", body },
      });
      assert.equal(posted.status, 201, posted.text);
      const html = posted.json.content_html;
      assert.match(html, new RegExp(`<a href="${carmen}"[^>]*>@carmen@${fed.host}</a>`), html);
      assert.match(html, new RegExp(`@personne@${fed.host}`), html);
      const { create, raw } = await createReceived("carmen", teacherId);
      assert.equal(raw.object.id, posted.json.ap_id);
      assert.deepEqual(raw.object.tag, [
        { type: "Mention", href: carmen, name: `@carmen@${fed.host}` },
      ]);
      assert.ok(raw.object.cc.includes(carmen), JSON.stringify(raw.object.cc));
      assert.ok(raw.cc.includes(carmen), JSON.stringify(raw.cc));
      // Fedify reads the tag as a Mention of carmen.
      const object = await create.activity.getObject({ ...loaders });
      await assertOneMention(object, carmen);
    });
  });
});
