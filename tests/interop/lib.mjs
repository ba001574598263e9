// Helpers shared by the interop tests that run a real `preau serve` next to
// real Fedify servers (npm @fedify/fedify) on loopback: the network guard,
// the Préau child process and its API, Fedify federations with their HTTP
// servers and inbox records, waits, failure diagnostics, and draft-cavage
// signatures made and checked by hand with node:crypto.
//
// Each test file runs in its own process (node --test), so the state kept
// here (ports, logs, what each side received) belongs to one file.
//
// Préau runs with the instance domain `localhost:PORT` (listening on
// 127.0.0.1; fedify.test.mjs, which starts no Fedify server, uses
// `127.0.0.1:PORT`) and PREAU_FEDERATION_ALLOW_LOOPBACK=true; each Fedify server
// uses `localhost:ITSPORT` (also on 127.0.0.1). All speak plain HTTP. A
// Fedify side cannot be `127.0.0.1:PORT`: activitypub_federation (under
// Préau) refuses URLs without a domain name ("Url must have a domain"),
// loopback allowed or not. Two Fedify servers on two ports are two
// instances for Préau (a host is name and port).

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createHash, createPublicKey, randomBytes, sign as rsaSign, verify as rsaVerify } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer as createHttpServer, request as httpRequest } from "node:http";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

// Fedify 2.x targets Node 22+, where `navigator` is a global; on Node 20 its
// JWK import path reads `navigator.userAgent`. The shim must exist before
// Fedify's modules are evaluated, hence the dynamic imports below (test
// files import this module first, then Fedify's).
globalThis.navigator ??= { userAgent: "node" };

const { configure, defaultTextFormatter } = await import("@logtape/logtape");
const { createFederation, MemoryKvStore, generateCryptoKeyPair } = await import("@fedify/fedify");
/** Fedify's vocabulary, for tests outside tests/interop (whose imports do not reach its node_modules). */
export const vocab = await import("@fedify/fedify/vocab");
const { Activity, Group, Mention, Note, Page, Person, lookupObject } = vocab;
const { getDocumentLoader } = await import("@fedify/fedify/runtime");

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, "..", "..");

export const ACTIVITY_JSON = "application/activity+json";
export const START_TIMEOUT_MS = 30_000;
export const WAIT_MS = 20_000; // every wait for something to arrive somewhere
export const POLL_INTERVAL_MS = 100;

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
// Network guard: Fedify fetches with the global `fetch`; only loopback is
// reachable, and https requests to the test servers' host:port are sent as
// http (Fedify resolves `acct:` handles over https, the test servers speak
// plain HTTP). Every request Fedify makes is recorded with its status (and
// its answer when refused), so tests can see double-knocking and refusals.
export const realFetch = globalThis.fetch;
export const refusedUrls = [];
/** { method, url, spec, status, body, sent } of Fedify's non-GET requests. */
export const outgoing = [];
/** { url, spec, status, body } of Fedify's GET requests. */
export const reads = [];
const rewriteHosts = new Set(); // "localhost:PORT" of every test server

export function isLoopbackHost(hostname) {
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
    body: null, // the answer, when refused
    sent: null, // the request body
  };
  if (method === "GET") {
    reads.push(entry);
  } else {
    outgoing.push(entry);
    if (init?.body != null) entry.sent = String(init.body);
    else if (request != null) entry.sent = await request.clone().text().catch(() => null);
  }
  const response = await realFetch(target, init);
  entry.status = response.status;
  if (response.status >= 400) {
    entry.body = await response.clone().text().catch(() => null);
  }
  return response;
};

// Fedify's own loader, allowed on loopback, for lookups made outside a
// Federation context.
export const documentLoader = getDocumentLoader({ allowPrivateAddress: true });
export const loaders = { documentLoader, contextLoader: documentLoader };

// ---------------------------------------------------------------------------
// The Préau server: one child process per test file.
export const serverBin = resolve(
  repoRoot,
  process.env.PREAU_BIN ?? join(process.env.CARGO_TARGET_DIR ?? "target", "debug", "preau"),
);
export const databaseKind = process.env.PREAU_INTEROP_DATABASE ?? "sqlite";
const keepArtifacts = process.env.PREAU_INTEROP_KEEP === "1";

/** Préau's coordinates, set by `preparePreau`. */
export const preau = {
  port: null,
  listener: null, // the bound socket until `preau serve` has it (see listeningSocket)
  host: null, // "localhost:PORT" (or "127.0.0.1:PORT"): the instance domain
  origin: null, // "http://" + host
  dataDir: null,
  databaseUrl: null,
};
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
let shownReads = 0;
const diagnosed = Symbol("diagnosed");

function appendServerOutput(chunk) {
  const text = chunk.toString("utf8");
  serverOutput += text;
  serverOutputTotal += text.length;
  if (serverOutput.length > 300_000) serverOutput = serverOutput.slice(-150_000);
}

export function tail(text, max) {
  return text.length > max ? `…${text.slice(-max)}` : text;
}

/**
 * A listening socket on a free loopback port, bound now and handed to `preau serve
 * --listen-stdin` as its standard input, so no other process can take the port between
 * choosing it and the server's start. Node cannot pass a `net.Server` as a child's stdio,
 * but it can pass a file descriptor: the server handle's `fd` (Unix). The parent closes its
 * copy once the child has one; nothing connects before the child is started, so the
 * parent never accepts a connection meant for the server.
 */
export function listeningSocket() {
  return new Promise((resolveSocket, reject) => {
    const server = createNetServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => resolveSocket(server));
  });
}

function chooseDatabase() {
  if (databaseKind === "sqlite") {
    return `sqlite://${join(preau.dataDir, "preau.db")}`;
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
  throw new Error(`PREAU_INTEROP_DATABASE must be "sqlite" or "postgres", got "${databaseKind}"`);
}

/**
 * Chooses Préau's port, data directory (`prefix…` under the temp dir) and
 * database. `hostname` is the instance domain's host part: "localhost" for
 * tests with Fedify servers (see the top of this file), "127.0.0.1" to be
 * seen under an address literal.
 */
export async function preparePreau(prefix, { hostname = "localhost" } = {}) {
  assert.ok(
    existsSync(serverBin),
    `no server binary at ${serverBin}: build it (cargo build) or set PREAU_BIN`,
  );
  preau.listener = await listeningSocket();
  preau.port = preau.listener.address().port;
  preau.host = `${hostname}:${preau.port}`;
  preau.origin = `http://${preau.host}`;
  rewriteHosts.add(preau.host);
  preau.dataDir = mkdtempSync(join(tmpdir(), prefix));
  preau.databaseUrl = chooseDatabase();
}

function serverEnv() {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith("PREAU_")),
  );
  return {
    ...inherited,
    PREAU_SERVER_LISTEN: `127.0.0.1:${preau.port}`,
    PREAU_INSTANCE_DOMAIN: preau.host,
    PREAU_SERVER_DATA_DIR: preau.dataDir,
    PREAU_DATABASE_URL: preau.databaseUrl,
    PREAU_FEDERATION_ALLOW_LOOPBACK: "true",
    PREAU_LOG: "info,sqlx=warn,tower_http=warn,preau=debug",
  };
}

/** Runs `preau admin ARGS` against the test server's database. */
export function runAdmin(args, input) {
  const result = spawnSync(serverBin, ["admin", ...args], {
    cwd: preau.dataDir,
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
      const response = await realFetch(`${preau.origin}/.well-known/nodeinfo`, {
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
    `preau serve did not answer 200 on ${preau.origin}/.well-known/nodeinfo within ${START_TIMEOUT_MS / 1000} s (last: ${last})`,
  );
}

function killOnExit() {
  if (child != null && childExit == null) child.kill("SIGKILL");
}

/** Starts `preau serve` and waits until it answers. */
export async function startPreau() {
  process.once("exit", killOnExit);
  assert.ok(preau.listener, "preparePreau binds the socket, once per start");
  child = spawn(serverBin, ["serve", "--listen-stdin"], {
    cwd: preau.dataDir,
    env: serverEnv(),
    stdio: [preau.listener._handle.fd, "pipe", "pipe"],
  });
  preau.listener.close();
  preau.listener = null;
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
}

async function stopPreau() {
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
    console.error(`note: could not drop database ${postgresCleanup.name}: ${result.error?.message ?? result.stderr}`);
  }
}

/** A JSON request to Préau's API; returns { status, json, text }. */
export async function api(method, path, { token, body } = {}) {
  const headers = { accept: "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await realFetch(`${preau.origin}/api/v1${path}`, {
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

/** Creates a teacher with `preau admin create-user` and logs in: the API token. */
export async function createTeacher(name) {
  const password = `interop-${randomBytes(12).toString("hex")}`;
  runAdmin(["create-user", name, "--email", `${name}@example.org`], `${password}\n`);
  const login = await api("POST", "/sessions", { body: { login: name, password } });
  assert.equal(login.status, 201, `log-in of ${name} answered ${login.status}: ${login.text}`);
  assert.ok(login.json?.token, `no token in ${login.text}`);
  return login.json.token;
}

// ---------------------------------------------------------------------------
// Fedify servers: each a Federation on its own loopback port, serving the
// actors it is given, recording every request it gets and every activity
// its inbox listeners are called with.

const fedifyServers = []; // every started server
/** Every request to a Fedify server: { server, method, url, headers, body, status }. */
export const inbound = [];
/** Activities Fedify's inbox listeners were called with (signature verified). */
export const received = [];
export const listenerErrors = [];
/** Promises of activities sent from listeners: { kind, …, promise }. */
export const backgroundSends = [];
/** URL -> Note or Page served by a Fedify server. */
export const objects = new Map();

/** Records an activity an inbox listener got (the catch-all does it for the rest). */
export async function recordActivity(ctx, activity) {
  received.push({
    recipient: ctx.recipient,
    type: activity.constructor.name,
    id: activity.id?.href ?? null,
    actorId: activity.actorId?.href ?? null,
    objectId: activity.objectId?.href ?? null,
    activity,
    json: await activity.toJsonLd({ format: "compact" }).catch((e) => ({ error: String(e) })),
  });
}

/**
 * Starts a Fedify server named `name` serving `actors` (identifier ->
 * { kind: "Person" | "Group", name, ed25519 }). `setUpInbox(listeners,
 * server)` adds inbox listeners for specific types (each type once); every
 * other activity is recorded by a catch-all listener. Identifiers must be
 * unique across the servers of one test file.
 *
 * No queue: sendActivity() delivers at once and throws if an inbox refuses.
 * No skipSignatureVerification and no unverified-activity handler: Fedify
 * calls inbox listeners only for activities whose HTTP signature (or LD
 * signature / object proof) it verified, and answers 401 otherwise.
 */
export async function startFedify(name, actors, setUpInbox = () => {}) {
  const server = {
    name,
    port: null,
    host: null,
    origin: null,
    actors,
    keyPairs: new Map(), // identifier -> [CryptoKeyPair]
    followersOf: new Map(), // identifier -> Map(actor id -> Recipient)
    federation: null,
    http: null,
    /** A Context of this federation, outside any request. */
    context() {
      return this.federation.createContext(new URL(this.origin), undefined);
    },
    actorUri(identifier) {
      return this.context().getActorUri(identifier);
    },
  };
  // Bound first, on a free port: no other process can take it meanwhile.
  // Nothing reaches it before the federation is set up below, since nobody
  // knows its port yet.
  server.http = await listen(server);
  server.port = server.http.address().port;
  server.host = `localhost:${server.port}`;
  server.origin = `http://localhost:${server.port}`;
  rewriteHosts.add(server.host);
  // RSA for everyone (HTTP signatures), plus Ed25519 where asked, so that
  // actor's activities also carry an FEP-8b32 proof.
  for (const [identifier, spec] of Object.entries(actors)) {
    const pairs = [await generateCryptoKeyPair("RSASSA-PKCS1-v1_5")];
    if (spec.ed25519) pairs.push(await generateCryptoKeyPair("Ed25519"));
    server.keyPairs.set(identifier, pairs);
  }

  const fed = createFederation({
    kv: new MemoryKvStore(),
    origin: server.origin,
    allowPrivateAddress: true,
  });
  fed
    .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
      const spec = actors[identifier];
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
        // so each actor's copy of an activity is observable.
      };
      return spec.kind === "Group" ? new Group(values) : new Person(values);
    })
    .setKeyPairsDispatcher((_ctx, identifier) => server.keyPairs.get(identifier) ?? []);
  fed.setFollowersDispatcher("/users/{identifier}/followers", (_ctx, identifier) => ({
    items: [...(server.followersOf.get(identifier)?.values() ?? [])],
  }));
  fed.setObjectDispatcher(Note, "/notes/{id}", (ctx, { id }) => {
    const object = objects.get(ctx.getObjectUri(Note, { id }).href);
    return object instanceof Note ? object : null;
  });
  fed.setObjectDispatcher(Page, "/pages/{id}", (ctx, { id }) => {
    const object = objects.get(ctx.getObjectUri(Page, { id }).href);
    return object instanceof Page ? object : null;
  });
  const listeners = fed.setInboxListeners("/users/{identifier}/inbox", "/inbox");
  setUpInbox(listeners, server);
  listeners.on(Activity, recordActivity).onError((_ctx, error) => {
    listenerErrors.push(error);
  });
  server.federation = fed;
  fedifyServers.push(server);
  return server;
}

/** node http <-> fetch Request/Response, recording every request. */
function listen(server) {
  return new Promise((resolveServer, reject) => {
    const http = createHttpServer(async (req, res) => {
      const chunks = [];
      for await (const chunk of req) chunks.push(chunk);
      const body = Buffer.concat(chunks);
      const entry = {
        server: server.name,
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
        const request = new Request(`${server.origin}${req.url}`, {
          method: req.method,
          headers,
          body: req.method === "GET" || req.method === "HEAD" ? undefined : body,
        });
        const response = await server.federation.fetch(request, { contextData: undefined });
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
    http.on("error", reject);
    http.listen(0, "127.0.0.1", () => resolveServer(http));
  });
}

/**
 * Runs `send` outside the request that delivered `activity` (as a server
 * answering a Follow or an Invite later does): once that request has been
 * answered, waited for with a bound. The send is kept in `backgroundSends`
 * (with `kind` and `detail`) and its failure in `listenerErrors`.
 */
export function answerLater(kind, activity, detail, send) {
  const sending = (async () => {
    await waitFor(`the request delivering ${activity.id?.href} to be answered`, () => inboundCarrying(activity.id?.href)?.status != null);
    return send();
  })();
  sending.catch((error) => listenerErrors.push(error));
  backgroundSends.push({ kind, ...detail, promise: sending });
  return sending;
}

/** Activities received by `recipient`'s inbox, of `type`, matching `pred`. */
export function receivedBy(recipient, type, pred = () => true) {
  return received.filter((r) => r.recipient === recipient && r.type === type && pred(r));
}

/** The raw HTTP request that delivered activity `id` to a Fedify server (at `path`). */
export function inboundCarrying(activityId, path = null) {
  return inbound.find((r) => {
    if (r.method !== "POST" || (path != null && r.url !== path)) return false;
    try {
      return JSON.parse(r.body).id === activityId;
    } catch {
      return false;
    }
  });
}

/**
 * The `Create` by `actorId` that `recipient`'s inbox received (waited
 * for: reaching the listener means Fedify verified its HTTP signature),
 * and `raw`, the JSON of the request that delivered it, which Fedify's
 * inbox answered 202.
 */
export async function createReceived(recipient, actorId) {
  const create = await waitFor(`a Create in ${recipient}'s inbox`, () =>
    receivedBy(recipient, "Create", (r) => r.actorId === actorId)[0],
  );
  const request = inboundCarrying(create.id, `/users/${recipient}/inbox`);
  assert.ok(request, `no raw request to ${recipient}'s inbox`);
  assert.equal(request.status, 202, `Fedify's inbox answered ${request.status}`);
  return { create, raw: JSON.parse(request.body) };
}

/** Asserts that Fedify reads `object`'s tags as one `Mention`, of `href`. */
export async function assertOneMention(object, href) {
  const tags = [];
  for await (const tag of object.getTags({ ...loaders })) tags.push(tag);
  assert.equal(tags.length, 1);
  assert.ok(tags[0] instanceof Mention, `the tag is a ${tags[0]?.constructor?.name}`);
  assert.equal(tags[0].href?.href, href);
}

// ---------------------------------------------------------------------------
// The opening of a test file against Fedify.

/**
 * A fresh Préau (its data directory named after `prefix`), the Fedify
 * servers of `servers` (name -> actors, as `startFedify` takes them;
 * started in order), then Préau started and its teacher `teacher`
 * created. Resolves with the Fedify servers by name, and the teacher's
 * API token and actor id.
 */
export async function startWithFedify(prefix, servers, teacher) {
  await preparePreau(prefix);
  const started = {};
  for (const [name, actors] of Object.entries(servers)) started[name] = await startFedify(name, actors);
  await startPreau();
  const teacherToken = await createTeacher(teacher);
  return { servers: started, teacherToken, teacherId: `${preau.origin}/users/${teacher}` };
}

/** Préau's object `id` as Fedify reads it across origins; fails unless it has an id. */
export async function lookedUp(id, what) {
  const object = await lookupObject(id, { ...loaders, crossOrigin: "throw" });
  assert.ok(object?.id, `no ${what} at ${id}`);
  return object;
}

// ---------------------------------------------------------------------------
// Waits and failure diagnostics.

function describeInbound(r) {
  const sig = r.headers.signature ?? (r.headers["signature-input"] ? "(RFC 9421)" : "(unsigned)");
  return `[${r.server}] ${r.method} ${r.url} -> ${r.status ?? "…"}  signature: ${tail(String(sig), 220)}`;
}

function describeRequest(o) {
  return `${o.method} ${o.url} [${o.spec}] -> ${o.status}${o.body ? ` ${tail(o.body, 300)}` : ""}`;
}

/** What the servers said since the previous failure message. */
export function diagnostics() {
  const parts = [];
  const newServer = Math.min(serverOutputTotal - shownServerOutput, serverOutput.length);
  const again = shownServerOutput > 0 || shownFedifyLog > 0 ? " since the previous failure" : "";
  shownServerOutput = serverOutputTotal;
  parts.push(`--- preau (${serverBin}, ${databaseKind}, ${preau.origin}) output${again} ---`);
  parts.push(tail(serverOutput.slice(serverOutput.length - newServer), 12_000) || "(nothing)");
  if (childExit != null) {
    parts.push(`--- preau exited: code ${childExit.code}, signal ${childExit.signal} ---`);
  }
  parts.push(fedifyDiagnostics(again));
  if (preau.dataDir != null) parts.push(`--- server data dir: ${preau.dataDir} ---`);
  return `\n${parts.join("\n")}`;
}

/**
 * The Fedify side of `diagnostics` (its servers' requests, Fedify's own
 * requests and log, listener errors), since the previous failure message:
 * for a test whose Préau is started by other means (the browser tests).
 */
export function fedifyDiagnostics(again = shownFedifyLog > 0 ? " since the previous failure" : "") {
  const parts = [];
  const newFedify = Math.min(fedifyLogTotal - shownFedifyLog, fedifyLog.length);
  shownFedifyLog = fedifyLogTotal;
  const origins = fedifyServers.map((s) => `${s.name} ${s.origin}`).join(", ");
  parts.push(`--- requests received by Fedify's servers (${origins})${again} ---`);
  parts.push(inbound.slice(shownInbound).map(describeInbound).join("\n") || "(none)");
  shownInbound = inbound.length;
  parts.push(`--- requests sent by Fedify (non-GET)${again} ---`);
  parts.push(outgoing.slice(shownOutgoing).map(describeRequest).join("\n") || "(none)");
  shownOutgoing = outgoing.length;
  parts.push(`--- GETs by Fedify that were refused${again} ---`);
  parts.push(
    reads
      .slice(shownReads)
      .filter((r) => r.status == null || r.status >= 400)
      .map(describeRequest)
      .join("\n") || "(none)",
  );
  shownReads = reads.length;
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
  return parts.join("\n");
}

/** Runs `body`; on failure, adds what the servers said. */
export async function explained(body) {
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
export async function waitFor(what, probe, timeoutMs = WAIT_MS) {
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

/** Stops Préau and the Fedify servers; removes the data dir and database unless kept. */
export async function finish() {
  await stopPreau();
  process.removeListener("exit", killOnExit);
  for (const server of fedifyServers) {
    if (server.http == null) continue;
    const closed = new Promise((r) => server.http.close(() => r()));
    server.http.closeAllConnections();
    await closed;
  }
  if (keepArtifacts || failed) {
    if (preau.dataDir != null) console.error(`kept server data dir ${preau.dataDir}`);
    if (postgresCleanup != null) console.error(`kept database ${postgresCleanup.name}`);
    return;
  }
  dropPostgresDatabase();
  if (preau.dataDir != null) rmSync(preau.dataDir, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------
// draft-cavage signatures, by hand.

function parseSignatureHeader(value) {
  const params = {};
  for (const match of value.matchAll(/([A-Za-z]+)="([^"]*)"/g)) params[match[1]] = match[2];
  return params;
}

/** Checks a request Préau sent with node:crypto, independently of Fedify. */
export function verifyPreauSignature(entry, publicKeyPem, expectedKeyId) {
  const header = entry.headers.signature;
  assert.ok(header, `Préau's request ${entry.method} ${entry.url} has no Signature header`);
  const params = parseSignatureHeader(header);
  assert.equal(params.keyId, expectedKeyId, `keyId of ${header}`);
  assert.ok(["rsa-sha256", "hs2019"].includes(params.algorithm), `algorithm ${params.algorithm} in ${header}`);
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
export function postToPreau(path, body, { keyId, privateKey, date = new Date(), signedBody = body, unsigned = false }) {
  const headers = {
    host: preau.host,
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
      { host: "127.0.0.1", port: preau.port, method: "POST", path, headers, timeout: 15_000 },
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
