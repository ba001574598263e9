// Interop test of a direct message to several people (issue 14) against
// Fedify (npm @fedify/fedify).
//
// A real `preau serve` and a Fedify server on loopback:
//
//  1. Fedify's `olga`, no contact of the Préau teachers `ines` and `jules`,
//     sends one direct Note to both (to both, a Mention of each, their
//     h-card links first), delivered to each teacher's inbox: it is stored
//     once, and waits in each teacher's "Demandes de message" as the same
//     conversation, whose participants are olga, ines and jules;
//  2. ines accepts and answers through the API: olga's inbox receives a
//     `Create` of a `Note`, its HTTP signature verified by Fedify,
//     addressed to jules and olga (`cc` empty), with a `Mention` of each
//     that Fedify reads as such, and `inReplyTo` olga's note;
//  3. jules accepts too and reads olga's note and ines's answer.
//
// Run it with `bash tests/interop/run.sh` (see lib.mjs and run.sh).

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import {
  api,
  createTeacher,
  databaseKind,
  explained,
  finish,
  inboundCarrying,
  loaders,
  preau,
  preparePreau,
  receivedBy,
  startFedify,
  startPreau,
  waitFor,
} from "./lib.mjs";

const { Create, Mention, Note, lookupObject } = await import("@fedify/fedify/vocab");

const TEACHERS = ["ines", "jules"];

let fed;
let tokens = {};
let olgaNoteId;
let conversationId;

/** The h-card link Mastodon writes for a mention of `id` (`name`). */
function mentionLink(id, name) {
  return `<span class="h-card" translate="no"><a href="${id}" class="u-url mention">@<span>${name}</span></a></span>`;
}

/** `name` accepts the request; their API token. */
async function accept(name) {
  assert.ok(conversationId, "no request (previous test failed)");
  const token = tokens[name];
  const accepted = await api("POST", `/conversations/${conversationId}/accept-request`, { token });
  assert.equal(accepted.status, 204, accepted.text);
  return token;
}

/** The conversation's participants, as `token`'s owner reads them, are `handles`. */
async function assertParticipants(token, handles) {
  const detail = await api("GET", `/conversations/${conversationId}`, { token });
  const listed = detail.json.participants.map((p) => p.person.handle).sort();
  assert.deepEqual(listed, handles, detail.text);
}

describe(`Préau direct messages to several people (${databaseKind}) and Fedify`, () => {
  before(async () => {
    await explained(async () => {
      await preparePreau("preau-interop-dm-group-");
      fed = await startFedify("fedify-dm-group", {
        olga: { kind: "Person", name: "Olga (Fedify)" },
      });
      await startPreau();
      for (const name of TEACHERS) tokens[name] = await createTeacher(name);
    });
  });

  after(finish);

  it("a Fedify direct Note to two Préau teachers is one request for each", async () => {
    await explained(async () => {
      const ctx = fed.context();
      const teachers = [];
      for (const name of TEACHERS) {
        const id = `${preau.origin}/users/${name}`;
        const actor = await lookupObject(id, { ...loaders, crossOrigin: "throw" });
        assert.ok(actor?.id, `no teacher at ${id}`);
        teachers.push({ name, actor });
      }
      const olga = ctx.getActorUri("olga");
      olgaNoteId = new URL(`${fed.origin}/notes/dm-${randomUUID()}`);
      const links = teachers.map(({ name, actor }) => mentionLink(actor.id.href, name)).join(" ");
      const note = new Note({
        id: olgaNoteId,
        attribution: olga,
        tos: teachers.map(({ actor }) => actor.id),
        content: `<p>${links} Bonjour à vous deux, un projet commun ?</p>`,
        tags: teachers.map(
          ({ name, actor }) => new Mention({ href: actor.id, name: `@${name}@${preau.host}` }),
        ),
      });
      const create = new Create({
        id: new URL(`${fed.origin}/activities/create-${randomUUID()}`),
        actor: olga,
        object: note,
        tos: teachers.map(({ actor }) => actor.id),
      });
      // One delivery to each teacher's inbox, as Mastodon does.
      await ctx.sendActivity(
        { identifier: "olga" },
        teachers.map(({ actor }) => actor),
        create,
        { preferSharedInbox: false },
      );
      const waiting = {};
      for (const name of TEACHERS) {
        waiting[name] = await waitFor(`a message request for ${name}`, async () => {
          const { json } = await api("GET", "/conversations/requests", { token: tokens[name] });
          return json?.requests?.length >= 1 ? json.requests : false;
        });
        assert.equal(waiting[name].length, 1, JSON.stringify(waiting[name]));
        assert.equal(waiting[name][0].person.handle, `olga@${fed.host}`);
        assert.equal(waiting[name][0].messages, 1, "stored once");
        assert.equal(
          waiting[name][0].last_html,
          "<p>Bonjour à vous deux, un projet commun ?</p>",
        );
      }
      conversationId = waiting.ines[0].conversation_id;
      assert.equal(waiting.jules[0].conversation_id, conversationId, "one conversation");
    });
  });

  it("ines answers: Fedify receives a verified Note to jules and olga, mentioning both", async () => {
    await explained(async () => {
      const token = await accept("ines");
      // jules, asked, is listed once he accepts (below).
      await assertParticipants(token, [`ines@${preau.host}`, `olga@${fed.host}`]);
      const posted = await api("POST", `/conversations/${conversationId}/messages`, {
        token,
        body: { body: "Volontiers, voyons-nous tous les trois." },
      });
      assert.equal(posted.status, 201, posted.text);
      const inesId = `${preau.origin}/users/ines`;
      const julesId = `${preau.origin}/users/jules`;
      const olga = fed.actorUri("olga").href;
      // Reaching the listener means Fedify verified the HTTP signature.
      const create = await waitFor("a Create in olga's inbox", () =>
        receivedBy("olga", "Create", (r) => r.actorId === inesId)[0],
      );
      const request = inboundCarrying(create.id, "/users/olga/inbox");
      assert.ok(request, "no raw request to olga's inbox");
      assert.equal(request.status, 202, `Fedify's inbox answered ${request.status}`);
      const raw = JSON.parse(request.body);
      const everyone = [julesId, olga].sort();
      assert.deepEqual([...raw.to].sort(), everyone, request.body);
      assert.deepEqual(raw.cc, []);
      assert.equal(raw.object.type, "Note");
      assert.deepEqual([...raw.object.to].sort(), everyone);
      assert.deepEqual(raw.object.cc, []);
      assert.deepEqual(
        raw.object.tag.map((t) => [t.type, t.href, t.name]).sort(),
        [
          ["Mention", julesId, `@jules@${preau.host}`],
          ["Mention", olga, `@olga@${fed.host}`],
        ].sort(),
      );
      assert.equal(raw.object.inReplyTo, olgaNoteId.href);
      assert.match(raw.object.content, /voyons-nous tous les trois/);
      // Fedify reads it as a Note to both, with a Mention of each.
      const object = await create.activity.getObject({ ...loaders });
      assert.ok(object instanceof Note, `the object is a ${object?.constructor?.name}`);
      assert.deepEqual(object.toIds.map((u) => u.href).sort(), everyone);
      const mentioned = [];
      for await (const tag of object.getTags({ ...loaders })) {
        assert.ok(tag instanceof Mention, `a tag is a ${tag?.constructor?.name}`);
        mentioned.push(tag.href?.href);
      }
      assert.deepEqual(mentioned.sort(), everyone);
      assert.equal(object.replyTargetId?.href, olgaNoteId.href);
    });
  });

  it("jules accepts and reads olga's note and ines's answer", async () => {
    await explained(async () => {
      const token = await accept("jules");
      await assertParticipants(token, [
        `ines@${preau.host}`,
        `jules@${preau.host}`,
        `olga@${fed.host}`,
      ]);
      const lines = await api("GET", `/conversations/${conversationId}/messages`, { token });
      const messages = lines.json.lines.filter((l) => l.kind === "message").map((l) => l.html);
      assert.equal(messages.length, 2, lines.text);
      assert.match(messages[0], /un projet commun/);
      assert.match(messages[1], /voyons-nous tous les trois/);
    });
  });
});
