// Interop test: a real Préau server, seen through Fedify (npm @fedify/fedify),
// an ActivityPub implementation written by other people.
//
// Everything about the server is discovered with Fedify's own client code
// (WebFinger lookup, object lookup and JSON-LD parsing, key import, NodeInfo
// parsing), so a shape Fedify would refuse on the real fediverse fails here.
//
// Run it with `bash tests/interop/run.sh` from the repository root; see that
// script for the environment variables (PREAU_BIN, PREAU_INTEROP_DATABASE,
// PREAU_TEST_POSTGRES_URL, PREAU_INTEROP_KEEP).

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

// Fedify 2.x targets Node 22+, where `navigator` is a global; on Node 20 its
// JWK import path reads `navigator.userAgent`. The shim must exist before
// Fedify's modules are evaluated, hence the dynamic imports below.
globalThis.navigator ??= { userAgent: "node" };

const { configure, defaultTextFormatter } = await import("@logtape/logtape");
const { lookupWebFinger } = await import("@fedify/webfinger");
const { CryptographicKey, Person, lookupObject } = await import(
  "@fedify/fedify/vocab"
);
const { getDocumentLoader } = await import("@fedify/fedify/runtime");
const { fetchKey, parseNodeInfo } = await import("@fedify/fedify");

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, "..", "..");

const USERNAME = "camille";
const EMAIL = "camille@example.org";
const ACTIVITY_JSON = "application/activity+json";
const START_TIMEOUT_MS = 30_000;
const POLL_INTERVAL_MS = 100;

// ---------------------------------------------------------------------------
// What Fedify said, kept so a failure can show why Fedify returned null
// (lookupObject swallows JSON-LD errors and only logs them at debug level).
const fedifyLog = [];
let fedifyLogTotal = 0; // lines ever logged, so a failure can show only new ones
await configure({
  reset: true,
  sinks: {
    memory: (record) => {
      fedifyLog.push(defaultTextFormatter(record).trimEnd());
      fedifyLogTotal += 1;
      if (fedifyLog.length > 400) fedifyLog.shift();
    },
  },
  loggers: [
    { category: ["fedify"], lowestLevel: "debug", sinks: ["memory"] },
    { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["memory"] },
  ],
});

// ---------------------------------------------------------------------------
// Network guard. Fedify fetches with the global `fetch`; this wrapper
//  - refuses anything that is not loopback (a JSON-LD context or key hosted
//    elsewhere would otherwise send traffic off this machine), and records it
//    so the failure message says what Fedify wanted;
//  - stands in for the TLS terminator that fronts Préau in production:
//    Fedify always resolves `acct:` handles over `https://HOST/.well-known/
//    webfinger`, while the test server speaks plain HTTP, so https requests
//    to the test server's own host:port are sent as http. Nothing else is
//    rewritten; the server's documents themselves use http URLs.
const realFetch = globalThis.fetch;
const refusedUrls = [];
const rewrittenUrls = [];
let serverHost = null; // "127.0.0.1:PORT", set once the port is chosen

function isLoopbackHost(hostname) {
  const h = hostname.replace(/^\[|\]$/g, "");
  return h === "localhost" || h === "::1" || /^127\.\d+\.\d+\.\d+$/.test(h);
}

globalThis.fetch = async function guardedFetch(input, init) {
  const request = input instanceof Request ? input : null;
  const url = new URL(request != null ? request.url : String(input));
  if (!isLoopbackHost(url.hostname)) {
    refusedUrls.push(url.href);
    throw new TypeError(
      `interop test: refused to fetch ${url.href} (only loopback is reachable from this test)`,
    );
  }
  if (url.protocol === "https:" && url.host === serverHost) {
    url.protocol = "http:";
    rewrittenUrls.push(url.href);
    return realFetch(request != null ? new Request(url, request) : url, init);
  }
  return realFetch(input, init);
};

// Fedify refuses loopback addresses unless told otherwise.
const documentLoader = getDocumentLoader({ allowPrivateAddress: true });
const loaders = { documentLoader, contextLoader: documentLoader };

// ---------------------------------------------------------------------------
// The server under test.
const serverBin = resolve(
  repoRoot,
  process.env.PREAU_BIN ??
    join(process.env.CARGO_TARGET_DIR ?? "target", "debug", "preau"),
);
const databaseKind = process.env.PREAU_INTEROP_DATABASE ?? "sqlite";
const keepArtifacts = process.env.PREAU_INTEROP_KEEP === "1";

let port;
let origin; // "http://127.0.0.1:PORT"
let dataDir;
let databaseUrl;
let postgresCleanup = null; // { adminUrl, name }
let child = null;
let childExit = null; // { code, signal } once the server exited
let serverOutput = "";
let serverOutputTotal = 0; // characters ever received
let failed = false;
// What the previous failure message already showed.
let shownServerOutput = 0;
let shownFedifyLog = 0;
const diagnosed = Symbol("diagnosed");

function appendServerOutput(chunk) {
  const text = chunk.toString("utf8");
  serverOutput += text;
  serverOutputTotal += text.length;
  if (serverOutput.length > 200_000) serverOutput = serverOutput.slice(-100_000);
}

function tail(text, max) {
  return text.length > max ? `…${text.slice(-max)}` : text;
}

/** What the server and Fedify said since the previous failure message. */
function diagnostics() {
  const parts = [];
  const newServer = Math.min(serverOutputTotal - shownServerOutput, serverOutput.length);
  const newFedify = Math.min(fedifyLogTotal - shownFedifyLog, fedifyLog.length);
  const again = shownServerOutput > 0 || shownFedifyLog > 0 ? " since the previous failure" : "";
  shownServerOutput = serverOutputTotal;
  shownFedifyLog = fedifyLogTotal;
  parts.push(`--- preau (${serverBin}, ${databaseKind}, ${origin}) output${again} ---`);
  parts.push(tail(serverOutput.slice(serverOutput.length - newServer), 12_000) || "(nothing)");
  if (childExit != null) {
    parts.push(`--- preau exited: code ${childExit.code}, signal ${childExit.signal} ---`);
  }
  if (refusedUrls.length > 0) {
    parts.push("--- URLs Fedify tried to fetch off this machine (refused) ---");
    parts.push(...new Set(refusedUrls));
  }
  parts.push(`--- Fedify log${again} (last lines) ---`);
  parts.push(fedifyLog.slice(fedifyLog.length - newFedify).slice(-60).join("\n") || "(nothing)");
  if (dataDir != null) parts.push(`--- server data dir: ${dataDir} ---`);
  return `\n${parts.join("\n")}`;
}

/** Runs `body`; on failure, adds what the server and Fedify said. */
async function explained(body) {
  try {
    await body();
  } catch (error) {
    failed = true;
    if (error instanceof Error) {
      // A shared lookup's error reaches several tests: annotate it once.
      if (!error[diagnosed]) {
        error[diagnosed] = true;
        error.message += diagnostics();
      }
      throw error;
    }
    throw new Error(String(error) + diagnostics());
  }
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port: chosen } = server.address();
      server.close(() => resolvePort(chosen));
    });
  });
}

function chooseDatabase() {
  if (databaseKind === "sqlite") {
    return `sqlite://${join(dataDir, "preau.db")}`;
  }
  if (databaseKind === "postgres") {
    const base = process.env.PREAU_TEST_POSTGRES_URL;
    if (!base) {
      throw new Error(
        "PREAU_INTEROP_DATABASE=postgres needs PREAU_TEST_POSTGRES_URL, " +
          "e.g. postgres://postgres@127.0.0.1:5432/postgres",
      );
    }
    const url = new URL(base);
    if (!isLoopbackHost(url.hostname)) {
      throw new Error(`PREAU_TEST_POSTGRES_URL must point at loopback, got ${url.hostname}`);
    }
    const name = `preau_interop_${randomBytes(6).toString("hex")}`;
    postgresCleanup = { adminUrl: url.href, name };
    url.pathname = `/${name}`;
    return url.href;
  }
  throw new Error(
    `PREAU_INTEROP_DATABASE must be "sqlite" or "postgres", got "${databaseKind}"`,
  );
}

function serverEnv() {
  // Only the settings below: a developer's own PREAU_* configuration (an
  // e-mail allowlist, a config file…) must not change what is tested.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith("PREAU_")),
  );
  return {
    ...inherited,
    PREAU_SERVER_LISTEN: `127.0.0.1:${port}`,
    PREAU_INSTANCE_DOMAIN: `127.0.0.1:${port}`,
    PREAU_SERVER_DATA_DIR: dataDir,
    PREAU_DATABASE_URL: databaseUrl,
    PREAU_FEDERATION_ALLOW_LOOPBACK: "true",
  };
}

function createTeacher() {
  const password = `interop-${randomBytes(12).toString("hex")}`;
  const result = spawnSync(
    serverBin,
    ["admin", "create-user", USERNAME, "--email", EMAIL],
    {
      cwd: dataDir,
      env: serverEnv(),
      input: `${password}\n`,
      encoding: "utf8",
      timeout: 60_000,
    },
  );
  if (result.error != null || result.status !== 0) {
    throw new Error(
      `\`preau admin create-user ${USERNAME} --email ${EMAIL}\` failed ` +
        `(status ${result.status}, signal ${result.signal}${result.error ? `, ${result.error.message}` : ""})\n` +
        `--- stdout ---\n${tail(result.stdout ?? "", 6000)}\n--- stderr ---\n${tail(result.stderr ?? "", 6000)}`,
    );
  }
}

async function waitUntilServing() {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let last = "no answer yet";
  while (Date.now() < deadline) {
    if (childExit != null) {
      throw new Error(`preau serve exited before answering (code ${childExit.code}, signal ${childExit.signal})`);
    }
    try {
      const response = await realFetch(`${origin}/.well-known/nodeinfo`, {
        signal: AbortSignal.timeout(2_000),
      });
      await response.body?.cancel();
      if (response.status === 200) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = String(error?.cause?.code ?? error);
    }
    await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
  }
  throw new Error(
    `preau serve did not answer 200 on ${origin}/.well-known/nodeinfo within ${START_TIMEOUT_MS / 1000} s (last: ${last})`,
  );
}

async function stopServer() {
  if (child == null || childExit != null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

function dropPostgresDatabase() {
  if (postgresCleanup == null) return;
  // Best effort: the server created the database; psql may not be installed.
  const result = spawnSync(
    "psql",
    [
      postgresCleanup.adminUrl,
      "-v",
      "ON_ERROR_STOP=1",
      "-q",
      "-c",
      `DROP DATABASE IF EXISTS "${postgresCleanup.name}"`,
    ],
    { encoding: "utf8", timeout: 30_000 },
  );
  if (result.error != null || result.status !== 0) {
    console.error(
      `note: could not drop database ${postgresCleanup.name}: ${result.error?.message ?? result.stderr}`,
    );
  }
}

function killOnExit() {
  if (child != null && childExit == null) child.kill("SIGKILL");
}

// ---------------------------------------------------------------------------
// Fedify lookups shared by several tests.
let webFingerPromise = null;
let personPromise = null;

/** Fedify's WebFinger lookup of camille and the self link it finds. */
function webFingerCamille() {
  webFingerPromise ??= (async () => {
    const jrd = await lookupWebFinger(`acct:${USERNAME}@${serverHost}`, {
      allowPrivateAddress: true,
    });
    assert.ok(jrd != null, `Fedify found no WebFinger resource for acct:${USERNAME}@${serverHost}`);
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
  assert.equal(url.origin, origin, `${what} ${url.href} is not on ${origin}`);
}

// ---------------------------------------------------------------------------
describe(`Préau (${databaseKind}) seen by Fedify`, () => {
  before(async () => {
    await explained(async () => {
      assert.ok(
        existsSync(serverBin),
        `no server binary at ${serverBin}: build it (cargo build) or set PREAU_BIN`,
      );
      port = await freePort();
      serverHost = `127.0.0.1:${port}`;
      origin = `http://${serverHost}`;
      dataDir = mkdtempSync(join(tmpdir(), "preau-interop-"));
      databaseUrl = chooseDatabase();

      createTeacher();

      process.once("exit", killOnExit);
      child = spawn(serverBin, ["serve"], {
        cwd: dataDir,
        env: serverEnv(),
        stdio: ["ignore", "pipe", "pipe"],
      });
      child.stdout.on("data", appendServerOutput);
      child.stderr.on("data", appendServerOutput);
      child.once("exit", (code, signal) => {
        childExit = { code, signal };
      });
      child.once("error", (error) => {
        appendServerOutput(`spawn error: ${error.message}\n`);
        childExit ??= { code: null, signal: null };
      });
      await waitUntilServing();
    });
  });

  after(async () => {
    await stopServer();
    process.removeListener("exit", killOnExit);
    if (keepArtifacts || failed) {
      if (dataDir != null) console.error(`kept server data dir ${dataDir}`);
      if (postgresCleanup != null) console.error(`kept database ${postgresCleanup.name}`);
      return;
    }
    dropPostgresDatabase();
    if (dataDir != null) rmSync(dataDir, { recursive: true, force: true });
  });

  it("WebFinger: Fedify resolves acct:camille to an ActivityPub self link", async () => {
    await explained(async () => {
      const { jrd, self } = await webFingerCamille();
      assert.equal(jrd.subject, `acct:${USERNAME}@${serverHost}`);
      assert.equal(self.href, `${origin}/users/${USERNAME}`);
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
      const byHandle = await lookupObject(`@${USERNAME}@${serverHost}`, {
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
      const wellKnown = await documentLoader(`${origin}/.well-known/nodeinfo`);
      const links = wellKnown.document?.links ?? [];
      const link = links.find(
        (l) => l?.rel === "http://nodeinfo.diaspora.software/ns/schema/2.1",
      );
      assert.ok(link?.href, `no NodeInfo 2.1 link in ${JSON.stringify(wellKnown.document)}`);
      assert.equal(link.href, `${origin}/nodeinfo/2.1`);
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
      const jrd = await lookupWebFinger(`acct:nobody@${serverHost}`, {
        allowPrivateAddress: true,
      });
      assert.equal(jrd, null, `WebFinger answered for nobody: ${JSON.stringify(jrd)}`);
      const byHandle = await lookupObject(`@nobody@${serverHost}`, {
        ...loaders,
        allowPrivateAddress: true,
      });
      assert.equal(byHandle, null, "Fedify found an actor for @nobody");
      const byUrl = await lookupObject(`${origin}/users/nobody`, loaders);
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
