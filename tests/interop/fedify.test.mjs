// Interop test: a real Préau server, seen through Fedify (npm @fedify/fedify),
// an ActivityPub implementation written by other people.
//
// Everything about the server is discovered with Fedify's own client code
// (WebFinger lookup, object lookup and JSON-LD parsing, key import, NodeInfo
// parsing), so a shape Fedify would refuse on the real fediverse fails here.
// Préau's instance domain here is `127.0.0.1:PORT` (an address literal).
//
// The server, the network guard and the failure diagnostics are in lib.mjs.
// Run it with `bash tests/interop/run.sh` from the repository root; see that
// script for the environment variables (PREAU_BIN, PREAU_INTEROP_DATABASE,
// PREAU_TEST_POSTGRES_URL, PREAU_INTEROP_KEEP).

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import {
  ACTIVITY_JSON,
  databaseKind,
  documentLoader,
  explained,
  finish,
  loaders,
  preau,
  preparePreau,
  refusedUrls,
  runAdmin,
  startPreau,
} from "./lib.mjs";

// lib.mjs sets up what Fedify needs before its modules are evaluated.
const { lookupWebFinger } = await import("@fedify/webfinger");
const { CryptographicKey, Person, lookupObject } = await import(
  "@fedify/fedify/vocab"
);
const { fetchKey, parseNodeInfo } = await import("@fedify/fedify");

const USERNAME = "camille";
const EMAIL = "camille@example.org";

/** `preau admin create-user` before the server starts: no log-in needed here. */
function createTeacher() {
  const password = `interop-${randomBytes(12).toString("hex")}`;
  runAdmin(["create-user", USERNAME, "--email", EMAIL], `${password}\n`);
}

// ---------------------------------------------------------------------------
// Fedify lookups shared by several tests.
let webFingerPromise = null;
let personPromise = null;

/** Fedify's WebFinger lookup of camille and the self link it finds. */
function webFingerCamille() {
  webFingerPromise ??= (async () => {
    const jrd = await lookupWebFinger(`acct:${USERNAME}@${preau.host}`, {
      allowPrivateAddress: true,
    });
    assert.ok(jrd != null, `Fedify found no WebFinger resource for acct:${USERNAME}@${preau.host}`);
    const self = (jrd.links ?? []).find(
      (link) => link.rel === "self" && link.type === ACTIVITY_JSON,
    );
    assert.ok(self?.href, `no self link of type ${ACTIVITY_JSON} in ${JSON.stringify(jrd)}`);
    return { jrd, self };
  })();
  return webFingerPromise;
}

/** The self link dereferenced and parsed by Fedify (null if it refused it). */
function lookupCamille() {
  personPromise ??= (async () => {
    const { self } = await webFingerCamille();
    const person = await lookupObject(self.href, { ...loaders, crossOrigin: "throw" });
    return { self, person };
  })();
  return personPromise;
}

function assertOnServer(url, what) {
  assert.ok(url instanceof URL, `${what} is missing`);
  assert.equal(url.origin, preau.origin, `${what} ${url.href} is not on ${preau.origin}`);
}

// ---------------------------------------------------------------------------
describe(`Préau (${databaseKind}) seen by Fedify`, () => {
  before(async () => {
    await explained(async () => {
      await preparePreau("preau-interop-", { hostname: "127.0.0.1" });
      createTeacher();
      await startPreau();
    });
  });

  after(finish);

  it("WebFinger: Fedify resolves acct:camille to an ActivityPub self link", async () => {
    await explained(async () => {
      const { jrd, self } = await webFingerCamille();
      assert.equal(jrd.subject, `acct:${USERNAME}@${preau.host}`);
      assert.equal(self.href, `${preau.origin}/users/${USERNAME}`);
    });
  });

  it("actor: Fedify parses the self link as a Person on this server", async () => {
    await explained(async () => {
      const { self, person } = await lookupCamille();
      assert.ok(person != null, `Fedify's lookupObject(${self.href}) returned null (see its log below)`);
      assert.ok(
        person instanceof Person,
        `expected a Fedify Person, got ${person?.constructor?.name}`,
      );
      assert.equal(person.id?.href, self.href);
      assert.equal(String(person.preferredUsername), USERNAME);
      assertOnServer(person.inboxId, "inbox");
      assertOnServer(person.outboxId, "outbox");
      assertOnServer(person.followersId, "followers");
      assertOnServer(person.followingId, "following");
    });
  });

  it("actor: Fedify's handle lookup (@camille@host) reaches the same Person", async () => {
    await explained(async () => {
      const { person } = await lookupCamille();
      const byHandle = await lookupObject(`@${USERNAME}@${preau.host}`, {
        ...loaders,
        allowPrivateAddress: true,
        crossOrigin: "throw",
      });
      assert.ok(byHandle instanceof Person, `lookup by handle gave ${byHandle?.constructor?.name ?? byHandle}`);
      assert.equal(byHandle.id?.href, person.id?.href);
    });
  });

  it("key: Fedify imports the actor's public key as an RSASSA-PKCS1-v1_5 CryptoKey", async () => {
    await explained(async () => {
      const { person } = await lookupCamille();
      assert.ok(person instanceof Person, "no Person to take the key from");
      const keys = [];
      for await (const key of person.getPublicKeys(loaders)) keys.push(key);
      assert.ok(keys.length > 0, "Fedify found no publicKey on the Person");
      const key = await person.getPublicKey(loaders);
      assert.ok(key instanceof CryptographicKey, `getPublicKey gave ${key?.constructor?.name ?? key}`);
      assert.equal(key.id?.href, `${person.id.href}#main-key`);
      assert.equal(key.ownerId?.href, person.id.href, "key owner is not the person");
      assertImportedRsaKey(key.publicKey);
    });
  });

  it("key: Fedify's fetchKey (what it does to verify a signature) finds the key by its id", async () => {
    await explained(async () => {
      const { person } = await lookupCamille();
      const keyId = person?.publicKeyId;
      assert.ok(keyId instanceof URL, "the Person names no publicKey id");
      const { key } = await fetchKey(keyId, CryptographicKey, loaders);
      assert.ok(key != null, `fetchKey(${keyId.href}) found no key`);
      assert.equal(key.id?.href, keyId.href);
      assert.equal(key.ownerId?.href, person.id.href);
      assertImportedRsaKey(key.publicKey);
    });
  });

  it("NodeInfo: Fedify's parser accepts the document and sees preau over activitypub", async () => {
    await explained(async () => {
      // Fedify's getNodeInfo() has no allowPrivateAddress switch (2.3.6) and
      // refuses loopback, so the documents are fetched with its document
      // loader and checked with its strict NodeInfo parser.
      const wellKnown = await documentLoader(`${preau.origin}/.well-known/nodeinfo`);
      const links = wellKnown.document?.links ?? [];
      const link = links.find(
        (l) => l?.rel === "http://nodeinfo.diaspora.software/ns/schema/2.1",
      );
      assert.ok(link?.href, `no NodeInfo 2.1 link in ${JSON.stringify(wellKnown.document)}`);
      assert.equal(link.href, `${preau.origin}/nodeinfo/2.1`);
      const raw = await documentLoader(link.href);
      const nodeInfo = parseNodeInfo(raw.document, { tryBestEffort: false });
      assert.ok(nodeInfo != null, `Fedify's strict parser rejected ${JSON.stringify(raw.document)}`);
      assert.equal(nodeInfo.software.name, "preau");
      assert.ok(
        nodeInfo.protocols.includes("activitypub"),
        `protocols are ${JSON.stringify(nodeInfo.protocols)}`,
      );
    });
  });

  it("negative: an unknown account resolves to nothing", async () => {
    await explained(async () => {
      const jrd = await lookupWebFinger(`acct:nobody@${preau.host}`, {
        allowPrivateAddress: true,
      });
      assert.equal(jrd, null, `WebFinger answered for nobody: ${JSON.stringify(jrd)}`);
      const byHandle = await lookupObject(`@nobody@${preau.host}`, {
        ...loaders,
        allowPrivateAddress: true,
      });
      assert.equal(byHandle, null, "Fedify found an actor for @nobody");
      const byUrl = await lookupObject(`${preau.origin}/users/nobody`, loaders);
      assert.equal(byUrl, null, "Fedify found an object at /users/nobody");
    });
  });

  it("guard: nothing was fetched off this machine", () => {
    assert.deepEqual(refusedUrls, [], "Fedify wanted documents from outside loopback");
  });
});

function assertImportedRsaKey(cryptoKey) {
  assert.ok(cryptoKey instanceof CryptoKey, `publicKey is ${cryptoKey?.constructor?.name ?? cryptoKey}, not a CryptoKey`);
  assert.equal(cryptoKey.type, "public");
  assert.equal(cryptoKey.algorithm.name, "RSASSA-PKCS1-v1_5");
  assert.equal(cryptoKey.algorithm.hash?.name, "SHA-256");
  assert.ok(cryptoKey.algorithm.modulusLength >= 2048, `RSA key of ${cryptoKey.algorithm.modulusLength} bits`);
  assert.ok(cryptoKey.usages.includes("verify"), `usages ${cryptoKey.usages}`);
}
