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
// Préau runs with the instance domain `localhost:PORT` (listening on
// 127.0.0.1) and PREAU_FEDERATION_ALLOW_LOOPBACK=true; Fedify's server uses
// `localhost:FEDIFYPORT` (also listening on 127.0.0.1). Both speak plain
// HTTP. Fedify's side cannot be `127.0.0.1:FEDIFYPORT`: activitypub_federation
// (under Préau) refuses URLs without a domain name ("Url must have a
// domain"), loopback allowed or not.
//
// Run it with `bash tests/interop/run.sh` from the repository root; see that
// script for the environment variables (PREAU_BIN, PREAU_INTEROP_DATABASE,
// PREAU_TEST_POSTGRES_URL, PREAU_INTEROP_KEEP).

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import {
  createHash,
  createPublicKey,
  generateKeyPairSync,
  KeyObject,
  randomBytes,
  randomUUID,
  sign as rsaSign,
  verify as rsaVerify,
} from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer as createHttpServer, request as httpRequest } from "node:http";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

// Fedify 2.x targets Node 22+, where `navigator` is a global; on Node 20 its
// JWK import path reads `navigator.userAgent`. The shim must exist before
// Fedify's modules are evaluated, hence the dynamic imports below.
globalThis.navigator ??= { userAgent: "node" };

const { configure, defaultTextFormatter } = await import("@logtape/logtape");
const { createFederation, MemoryKvStore, generateCryptoKeyPair } = await import(
  "@fedify/fedify"
);
const {
  Accept,
  Activity,
  Announce,
  Create,
  Follow,
  Group,
  Note,
  Page,
  Person,
  PUBLIC_COLLECTION,
  lookupObject,
} = await import("@fedify/fedify/vocab");
const { getDocumentLoader } = await import("@fedify/fedify/runtime");

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, "..", "..");

const FORUM = "maths";
const FORUM_TITLE = "Mathématiques";
const TEACHER = "dominique";
const TEACHER_EMAIL = "dominique@example.org";
const ACTIVITY_JSON = "application/activity+json";
const START_TIMEOUT_MS = 30_000;
const WAIT_MS = 20_000; // every wait for something to arrive somewhere
const POLL_INTERVAL_MS = 100;
const HOSTILE_CONTENT = "<p>Bonjour <script>alert(1)</script></p>";

// ---------------------------------------------------------------------------
// What Fedify said, kept for failure messages.
const fedifyLog = [];
let fedifyLogTotal = 0;
await configure({
  reset: true,
  sinks: {
    memory: (record) => {
      fedifyLog.push(defaultTextFormatter(record).trimEnd());
      fedifyLogTotal += 1;
      if (fedifyLog.length > 600) fedifyLog.shift();
    },
  },
  loggers: [
    { category: ["fedify"], lowestLevel: "debug", sinks: ["memory"] },
    { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["memory"] },
  ],
});

// ---------------------------------------------------------------------------
// Network guard, as in fedify.test.mjs: Fedify fetches with the global
// `fetch`; only loopback is reachable, and https requests to the two test
// servers' host:port are sent as http (Fedify resolves `acct:` handles over
// https, the test servers speak plain HTTP). Every POST Fedify makes is
// recorded with its status, so the tests can see double-knocking.
const realFetch = globalThis.fetch;
const refusedUrls = [];
const outgoing = []; // { method, url, spec, status, body } of Fedify's requests
const rewriteHosts = new Set(); // "localhost:PORT", "localhost:FEDIFYPORT"

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
  let target = input;
  if (url.protocol === "https:" && rewriteHosts.has(url.host)) {
    url.protocol = "http:";
    target = request != null ? new Request(url, request) : url;
  }
  const method = (init?.method ?? request?.method ?? "GET").toUpperCase();
  const headers = new Headers(init?.headers ?? request?.headers ?? {});
  const entry = {
    method,
    url: url.href,
    spec: headers.has("signature-input")
      ? "rfc9421"
      : headers.has("signature")
        ? "draft-cavage"
        : "unsigned",
    status: null,
    body: null,
    sent: null, // the request body
  };
  if (method !== "GET") {
    outgoing.push(entry);
    if (init?.body != null) entry.sent = String(init.body);
    else if (request != null) entry.sent = await request.clone().text().catch(() => null);
  }
  const response = await realFetch(target, init);
  entry.status = response.status;
  if (method !== "GET" && response.status >= 400) {
    entry.body = await response.clone().text().catch(() => null);
  }
  return response;
};

// Fedify's own loader, allowed on loopback, for lookups made outside a
// Federation context.
const documentLoader = getDocumentLoader({ allowPrivateAddress: true });
const loaders = { documentLoader, contextLoader: documentLoader };

// ---------------------------------------------------------------------------
// The Préau server.
const serverBin = resolve(
  repoRoot,
  process.env.PREAU_BIN ??
    join(process.env.CARGO_TARGET_DIR ?? "target", "debug", "preau"),
);
const databaseKind = process.env.PREAU_INTEROP_DATABASE ?? "sqlite";
const keepArtifacts = process.env.PREAU_INTEROP_KEEP === "1";

let port;
let preauHost; // "localhost:PORT": the instance domain
let preauOrigin; // "http://localhost:PORT"
let forumId; // "http://localhost:PORT/forums/maths"
let dataDir;
let databaseUrl;
let postgresCleanup = null;
let child = null;
let childExit = null;
let serverOutput = "";
let serverOutputTotal = 0;
let failed = false;
let shownServerOutput = 0;
let shownFedifyLog = 0;
let shownInbound = 0;
let shownOutgoing = 0;
const diagnosed = Symbol("diagnosed");

// The Fedify server.
let fedifyPort;
let fedifyHost; // "localhost:FEDIFYPORT"
let fedifyOrigin; // "http://localhost:FEDIFYPORT"
let federation;
let fedifyServer = null;
const inbound = []; // every request to Fedify's server: { method, url, headers, body, status }
const received = []; // activities Fedify's inbox listeners were called with
const listenerErrors = [];
const keyPairs = new Map(); // identifier -> [CryptoKeyPair]
const followersOf = new Map(); // identifier -> Map(actor id -> Recipient)
const objects = new Map(); // URL -> Note/Page served by Fedify
const backgroundSends = []; // promises of activities sent from listeners

function appendServerOutput(chunk) {
  const text = chunk.toString("utf8");
  serverOutput += text;
  serverOutputTotal += text.length;
  if (serverOutput.length > 300_000) serverOutput = serverOutput.slice(-150_000);
}

function tail(text, max) {
  return text.length > max ? `…${text.slice(-max)}` : text;
}

function describeInbound(r) {
  const sig = r.headers.signature ?? (r.headers["signature-input"] ? "(RFC 9421)" : "(unsigned)");
  return `${r.method} ${r.url} -> ${r.status ?? "…"}  signature: ${tail(String(sig), 220)}`;
}

/** What the servers said since the previous failure message. */
function diagnostics() {
  const parts = [];
  const newServer = Math.min(serverOutputTotal - shownServerOutput, serverOutput.length);
  const newFedify = Math.min(fedifyLogTotal - shownFedifyLog, fedifyLog.length);
  const again = shownServerOutput > 0 || shownFedifyLog > 0 ? " since the previous failure" : "";
  shownServerOutput = serverOutputTotal;
  shownFedifyLog = fedifyLogTotal;
  parts.push(`--- preau (${serverBin}, ${databaseKind}, ${preauOrigin}) output${again} ---`);
  parts.push(tail(serverOutput.slice(serverOutput.length - newServer), 12_000) || "(nothing)");
  if (childExit != null) {
    parts.push(`--- preau exited: code ${childExit.code}, signal ${childExit.signal} ---`);
  }
  parts.push(`--- requests received by Fedify's server (${fedifyOrigin})${again} ---`);
  parts.push(inbound.slice(shownInbound).map(describeInbound).join("\n") || "(none)");
  shownInbound = inbound.length;
  parts.push(`--- requests sent by Fedify (non-GET)${again} ---`);
  parts.push(
    outgoing
      .slice(shownOutgoing)
      .map((o) => `${o.method} ${o.url} [${o.spec}] -> ${o.status}${o.body ? ` ${tail(o.body, 300)}` : ""}`)
      .join("\n") || "(none)",
  );
  shownOutgoing = outgoing.length;
  if (listenerErrors.length > 0) {
    parts.push("--- errors in Fedify listeners / background sends ---");
    parts.push(...listenerErrors.map((e) => String(e?.stack ?? e)));
  }
  if (refusedUrls.length > 0) {
    parts.push("--- URLs Fedify tried to fetch off this machine (refused) ---");
    parts.push(...new Set(refusedUrls));
  }
  parts.push(`--- Fedify log${again} (last lines) ---`);
  parts.push(fedifyLog.slice(fedifyLog.length - newFedify).slice(-80).join("\n") || "(nothing)");
  if (dataDir != null) parts.push(`--- server data dir: ${dataDir} ---`);
  return `\n${parts.join("\n")}`;
}

/** Runs `body`; on failure, adds what the servers said. */
async function explained(body) {
  try {
    await body();
  } catch (error) {
    failed = true;
    if (error instanceof Error) {
      if (!error[diagnosed]) {
        error[diagnosed] = true;
        error.message += diagnostics();
      }
      throw error;
    }
    throw new Error(String(error) + diagnostics());
  }
}

/** Polls `probe` until it returns a truthy value; fails with `what`. */
async function waitFor(what, probe, timeoutMs = WAIT_MS) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what} (last: ${detail})`);
    }
    await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
  }
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createNetServer();
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
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith("PREAU_")),
  );
  return {
    ...inherited,
    PREAU_SERVER_LISTEN: `127.0.0.1:${port}`,
    PREAU_INSTANCE_DOMAIN: preauHost,
    PREAU_SERVER_DATA_DIR: dataDir,
    PREAU_DATABASE_URL: databaseUrl,
    PREAU_FEDERATION_ALLOW_LOOPBACK: "true",
    PREAU_LOG: "info,sqlx=warn,tower_http=warn,preau=debug",
  };
}

function runAdmin(args, input) {
  const result = spawnSync(serverBin, ["admin", ...args], {
    cwd: dataDir,
    env: serverEnv(),
    input,
    encoding: "utf8",
    timeout: 60_000,
  });
  if (result.error != null || result.status !== 0) {
    throw new Error(
      `\`preau admin ${args.join(" ")}\` failed ` +
        `(status ${result.status}, signal ${result.signal}${result.error ? `, ${result.error.message}` : ""})\n` +
        `--- stdout ---\n${tail(result.stdout ?? "", 6000)}\n--- stderr ---\n${tail(result.stderr ?? "", 6000)}`,
    );
  }
  return result.stdout;
}

async function waitUntilServing() {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let last = "no answer yet";
  while (Date.now() < deadline) {
    if (childExit != null) {
      throw new Error(`preau serve exited before answering (code ${childExit.code}, signal ${childExit.signal})`);
    }
    try {
      const response = await realFetch(`${preauOrigin}/.well-known/nodeinfo`, {
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
    `preau serve did not answer 200 on ${preauOrigin}/.well-known/nodeinfo within ${START_TIMEOUT_MS / 1000} s (last: ${last})`,
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
  const result = spawnSync(
    "psql",
    [postgresCleanup.adminUrl, "-v", "ON_ERROR_STOP=1", "-q", "-c", `DROP DATABASE IF EXISTS "${postgresCleanup.name}"`],
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

/** A JSON request to Préau's API; returns { status, json, text }. */
async function api(method, path, { token, body } = {}) {
  const headers = { accept: "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await realFetch(`${preauOrigin}/api/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: response.status, json, text };
}

async function forumPage(handle) {
  const { status, json, text } = await api("GET", `/forums/${handle}`);
  assert.equal(status, 200, `GET /api/v1/forums/${handle} answered ${status}: ${tail(text, 500)}`);
  return json;
}

// ---------------------------------------------------------------------------
// The Fedify side: one Federation serving alice and bob (Person) and club
// (Group) on localhost:FEDIFYPORT, through node's http server.

const ACTORS = {
  alice: { kind: "Person", name: "Alice (Fedify)", ed25519: true },
  bob: { kind: "Person", name: "Bob (Fedify)", ed25519: false },
  club: { kind: "Group", name: "Club de lecture (Fedify)", ed25519: false },
};

function buildFederation() {
  // No queue: sendActivity() delivers at once and throws if an inbox
  // refuses. No skipSignatureVerification and no unverified-activity
  // handler: Fedify calls inbox listeners only for activities whose HTTP
  // signature (or LD signature / object proof) it verified, and answers 401
  // otherwise (handleInboxInternal in @fedify/fedify 2.3.6).
  const fed = createFederation({
    kv: new MemoryKvStore(),
    origin: fedifyOrigin,
    allowPrivateAddress: true,
  });

  fed
    .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
      const spec = ACTORS[identifier];
      if (spec == null) return null;
      const pairs = await ctx.getActorKeyPairs(identifier);
      const values = {
        id: ctx.getActorUri(identifier),
        preferredUsername: identifier,
        name: spec.name,
        summary: `<p>${spec.name}, an actor of the interop test</p>`,
        inbox: ctx.getInboxUri(identifier),
        followers: ctx.getFollowersUri(identifier),
        url: ctx.getActorUri(identifier),
        publicKey: pairs[0].cryptographicKey,
        assertionMethods: pairs.map((pair) => pair.multikey),
        // No shared inbox: Préau then delivers to each actor's own inbox,
        // so each follower's copy of an Announce is observable.
      };
      return spec.kind === "Group" ? new Group(values) : new Person(values);
    })
    .setKeyPairsDispatcher((_ctx, identifier) => keyPairs.get(identifier) ?? []);

  fed.setFollowersDispatcher("/users/{identifier}/followers", (_ctx, identifier) => ({
    items: [...(followersOf.get(identifier)?.values() ?? [])],
  }));

  fed.setObjectDispatcher(Note, "/notes/{id}", (ctx, { id }) => {
    const object = objects.get(ctx.getObjectUri(Note, { id }).href);
    return object instanceof Note ? object : null;
  });
  fed.setObjectDispatcher(Page, "/pages/{id}", (ctx, { id }) => {
    const object = objects.get(ctx.getObjectUri(Page, { id }).href);
    return object instanceof Page ? object : null;
  });

  const record = async (ctx, activity) => {
    received.push({
      recipient: ctx.recipient,
      type: activity.constructor.name,
      id: activity.id?.href ?? null,
      actorId: activity.actorId?.href ?? null,
      objectId: activity.objectId?.href ?? null,
      activity,
      json: await activity.toJsonLd({ format: "compact" }).catch((e) => ({ error: String(e) })),
    });
  };

  fed
    .setInboxListeners("/users/{identifier}/inbox", "/inbox")
    .on(Follow, async (ctx, follow) => {
      await record(ctx, follow);
      // Only club (a group) accepts followers.
      if (ctx.recipient !== "club") return;
      if (follow.objectId?.href !== ctx.getActorUri("club").href) return;
      const follower = await follow.getActor(ctx);
      if (follower == null || follower.id == null || follower.inboxId == null) {
        listenerErrors.push(new Error(`club: could not fetch the follower ${follow.actorId?.href}`));
        return;
      }
      if (!followersOf.has("club")) followersOf.set("club", new Map());
      followersOf.get("club").set(follower.id.href, follower);
      // Answer outside the request that delivered the Follow.
      const accept = new Accept({
        id: new URL(`${fedifyOrigin}/activities/${randomUUID()}`),
        actor: ctx.getActorUri("club"),
        object: follow,
        to: follower.id,
      });
      const sending = (async () => {
        await new Promise((r) => setTimeout(r, 50));
        await ctx.sendActivity({ identifier: "club" }, follower, accept);
        return accept;
      })();
      sending.catch((error) => listenerErrors.push(error));
      backgroundSends.push({ kind: "accept", follower: follower.id.href, promise: sending });
    })
    .on(Accept, record)
    .on(Announce, record)
    .on(Activity, record)
    .onError((_ctx, error) => {
      listenerErrors.push(error);
    });

  return fed;
}

/** node http <-> fetch Request/Response, recording every request. */
function startFedifyServer() {
  return new Promise((resolveServer, reject) => {
    const server = createHttpServer(async (req, res) => {
      const chunks = [];
      for await (const chunk of req) chunks.push(chunk);
      const body = Buffer.concat(chunks);
      const entry = {
        method: req.method,
        url: req.url,
        headers: { ...req.headers },
        body: body.toString("utf8"),
        status: null,
      };
      inbound.push(entry);
      try {
        const headers = new Headers();
        for (const [name, value] of Object.entries(req.headers)) {
          if (Array.isArray(value)) for (const v of value) headers.append(name, v);
          else if (value != null) headers.set(name, value);
        }
        const request = new Request(`${fedifyOrigin}${req.url}`, {
          method: req.method,
          headers,
          body: req.method === "GET" || req.method === "HEAD" ? undefined : body,
        });
        const response = await federation.fetch(request, { contextData: undefined });
        entry.status = response.status;
        const out = Buffer.from(await response.arrayBuffer());
        if (response.status >= 400) entry.responseBody = out.toString("utf8");
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(out);
      } catch (error) {
        entry.status = 500;
        listenerErrors.push(error);
        res.writeHead(500, { "content-type": "text/plain" });
        res.end(String(error));
      }
    });
    server.on("error", reject);
    server.listen(fedifyPort, "127.0.0.1", () => resolveServer(server));
  });
}

function fedifyContext() {
  return federation.createContext(new URL(fedifyOrigin), undefined);
}

function actorUri(identifier) {
  return fedifyContext().getActorUri(identifier);
}

/** Activities received by `recipient`'s inbox, of `type`, matching `pred`. */
function receivedBy(recipient, type, pred = () => true) {
  return received.filter((r) => r.recipient === recipient && r.type === type && pred(r));
}

/** The raw HTTP request that delivered activity `id` to Fedify (at `path`). */
function inboundCarrying(activityId, path = null) {
  return inbound.find((r) => {
    if (r.method !== "POST" || (path != null && r.url !== path)) return false;
    try {
      return JSON.parse(r.body).id === activityId;
    } catch {
      return false;
    }
  });
}

// ---------------------------------------------------------------------------
// draft-cavage signatures, by hand.

function parseSignatureHeader(value) {
  const params = {};
  for (const match of value.matchAll(/([A-Za-z]+)="([^"]*)"/g)) params[match[1]] = match[2];
  return params;
}

/** Checks a request Préau sent with node:crypto, independently of Fedify. */
function verifyPreauSignature(entry, publicKeyPem, expectedKeyId) {
  const header = entry.headers.signature;
  assert.ok(header, `Préau's request ${entry.method} ${entry.url} has no Signature header`);
  const params = parseSignatureHeader(header);
  assert.equal(params.keyId, expectedKeyId, `keyId of ${header}`);
  assert.ok(
    ["rsa-sha256", "hs2019"].includes(params.algorithm),
    `algorithm ${params.algorithm} in ${header}`,
  );
  const signed = (params.headers ?? "date").split(" ");
  for (const required of ["(request-target)", "date", "digest", "host"]) {
    assert.ok(signed.includes(required), `${required} is not signed: headers="${params.headers}"`);
  }
  const digest = `SHA-256=${createHash("sha256").update(entry.body, "utf8").digest("base64")}`;
  assert.equal(entry.headers.digest, digest, "the Digest header does not match the body");
  const dateAge = Math.abs(Date.now() - Date.parse(entry.headers.date));
  assert.ok(dateAge < 5 * 60_000, `Date ${entry.headers.date} is ${dateAge} ms away`);
  const lines = signed.map((name) => {
    if (name === "(request-target)") return `(request-target): ${entry.method.toLowerCase()} ${entry.url}`;
    if (name === "(created)") return `(created): ${params.created}`;
    if (name === "(expires)") return `(expires): ${params.expires}`;
    const value = entry.headers[name];
    assert.ok(value != null, `signed header ${name} is absent from the request`);
    return `${name}: ${Array.isArray(value) ? value.join(", ") : value}`;
  });
  const ok = rsaVerify(
    "sha256",
    Buffer.from(lines.join("\n")),
    createPublicKey(publicKeyPem),
    Buffer.from(params.signature, "base64"),
  );
  assert.ok(ok, `node:crypto could not verify Préau's signature over:\n${lines.join("\n")}`);
  return { params, signed };
}

/**
 * POSTs `body` to Préau's `path` with node:http, signed draft-cavage
 * rsa-sha256 over `(request-target) host date digest` unless `unsigned`.
 * `signedBody` is what the digest and signature cover (default: `body`).
 */
function postToPreau(path, body, { keyId, privateKey, date = new Date(), signedBody = body, unsigned = false }) {
  const headers = {
    host: preauHost,
    date: date.toUTCString(),
    "content-type": ACTIVITY_JSON,
    accept: "application/json",
  };
  if (!unsigned) {
    headers.digest = `SHA-256=${createHash("sha256").update(signedBody).digest("base64")}`;
    const signingString = [
      `(request-target): post ${path}`,
      `host: ${headers.host}`,
      `date: ${headers.date}`,
      `digest: ${headers.digest}`,
    ].join("\n");
    const signature = rsaSign("sha256", Buffer.from(signingString), privateKey).toString("base64");
    headers.signature =
      `keyId="${keyId}",algorithm="rsa-sha256",` +
      `headers="(request-target) host date digest",signature="${signature}"`;
  }
  const payload = Buffer.from(body);
  headers["content-length"] = String(payload.length);
  return new Promise((resolveResponse, reject) => {
    const req = httpRequest(
      { host: "127.0.0.1", port, method: "POST", path, headers, timeout: 15_000 },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json = null;
          try {
            json = JSON.parse(text);
          } catch {
            // not JSON
          }
          resolveResponse({ status: res.statusCode, text, json });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`POST ${path} timed out`)));
    req.on("error", reject);
    req.end(payload);
  });
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
      assert.ok(
        existsSync(serverBin),
        `no server binary at ${serverBin}: build it (cargo build) or set PREAU_BIN`,
      );
      port = await freePort();
      fedifyPort = await freePort();
      preauHost = `localhost:${port}`;
      preauOrigin = `http://${preauHost}`;
      forumId = `${preauOrigin}/forums/${FORUM}`;
      fedifyHost = `localhost:${fedifyPort}`;
      fedifyOrigin = `http://${fedifyHost}`;
      rewriteHosts.add(preauHost);
      rewriteHosts.add(fedifyHost);
      dataDir = mkdtempSync(join(tmpdir(), "preau-interop-forums-"));
      databaseUrl = chooseDatabase();

      // Fedify's keys: RSA for everyone (HTTP signatures), plus Ed25519 for
      // alice, so her activities also carry an FEP-8b32 proof.
      for (const [identifier, spec] of Object.entries(ACTORS)) {
        const pairs = [await generateCryptoKeyPair("RSASSA-PKCS1-v1_5")];
        if (spec.ed25519) pairs.push(await generateCryptoKeyPair("Ed25519"));
        keyPairs.set(identifier, pairs);
      }
      federation = buildFederation();
      fedifyServer = await startFedifyServer();

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
      // While the server runs, as an admin would.
      runAdmin(["create-forum", FORUM, "--title", FORUM_TITLE]);
    });
  });

  after(async () => {
    await stopServer();
    process.removeListener("exit", killOnExit);
    if (fedifyServer != null) {
      const closed = new Promise((r) => fedifyServer.close(() => r()));
      fedifyServer.closeAllConnections();
      await closed;
    }
    if (keepArtifacts || failed) {
      if (dataDir != null) console.error(`kept server data dir ${dataDir}`);
      if (postgresCleanup != null) console.error(`kept database ${postgresCleanup.name}`);
      return;
    }
    dropPostgresDatabase();
    if (dataDir != null) rmSync(dataDir, { recursive: true, force: true });
  });

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
      const [rsaPair] = keyPairs.get("alice");
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
