import {
  decodeHeads,
  type DocHandle,
  generateAutomergeUrl,
  parseAutomergeUrl,
} from "@automerge/automerge-repo";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { DocClient } from "./doc-client.js";
import {
  connectRepo,
  MemoryStorage,
  rawSocket,
  strataHeads,
  type SyncClient,
  syncUrl,
  until,
} from "./sync-clients.js";

type Counter = { count: number; notes?: string[] };

let t: TestApp;
let key: string;
let tenantId: string;
let otherKey: string;
const clients: SyncClient[] = [];

beforeAll(async () => {
  t = await startTestApp();
  ({ secret: key, tenantId } = await t.tenantWithKey(["docs:read", "docs:write"]));
  otherKey = (await t.tenantWithKey(["docs:read", "docs:write"])).secret;
});
afterAll(async () => {
  for (const c of clients) await c.close().catch(() => {});
  await t?.close();
});

async function client(options: Parameters<typeof connectRepo>[2] = {}, secret = key) {
  const c = await connectRepo(t.baseUrl, secret, options);
  clients.push(c);
  return c;
}

const storageIdOf = (c: SyncClient) => c.repo.getStorageIdOfPeer(c.repo.peers[0]!)!;
const sorted = (h: readonly string[]) => [...h].sort();
const storedHeads = async (secret: string, handle: DocHandle<unknown>) =>
  sorted(await new DocClient(t.baseUrl, secret).heads(handle.documentId));

describe("automerge-repo sync endpoint", () => {
  it("a document created on one client is found on another; concurrent edits converge and are stored", async () => {
    const a = await client();
    const b = await client();
    const handleA = a.repo.create<Counter>({ count: 0 });
    const strata = storageIdOf(a);
    await until(
      () => strataHeads(handleA, strata)?.join() === sorted(handleA.heads()).join(),
      "A's document is stored",
    );

    const handleB = await b.repo.find<Counter>(handleA.url);
    expect(handleB.doc()).toEqual({ count: 0 });

    handleA.change((d) => (d.notes = ["from A"]));
    handleB.change((d) => (d.count = 7));
    await until(
      () =>
        handleA.doc().count === 7 &&
        handleB.doc().notes?.[0] === "from A" &&
        sorted(handleA.heads()).join() === sorted(handleB.heads()).join(),
      "both clients converge",
    );
    expect(handleA.doc()).toEqual({ count: 7, notes: ["from A"] });
    await until(
      () => strataHeads(handleB, strata)?.join() === sorted(handleB.heads()).join(),
      "B's edit is stored",
    );
    expect(await storedHeads(key, handleA)).toEqual(sorted(decodeHeads(handleA.heads())));
  });

  it("getRemoteHeads(strata) reaches the client's heads after a change, and remote-heads-changed reaches subscribers", async () => {
    const a = await client({ gossip: true });
    const strata = storageIdOf(a);
    a.repo.subscribeToRemotes([strata as never]);
    const handle = a.repo.create<Counter>({ count: 1 });
    for (let i = 2; i <= 5; i++) handle.change((d) => (d.count = i));
    await until(
      () => strataHeads(handle, strata)?.join() === sorted(handle.heads()).join(),
      "heads stored",
    );
    // What the client was told is stored, is stored.
    expect(await storedHeads(key, handle)).toEqual(sorted(decodeHeads(handle.heads())));
    await until(
      () =>
        a.adapter.received.some(
          (m) =>
            m.type === "remote-heads-changed" &&
            m.documentId === handle.documentId &&
            sorted((m.newHeads as Record<string, { heads: string[] }>)[strata]!.heads).join() ===
              sorted(handle.heads()).join(),
        ),
      "a remote-heads-changed message with the stored heads",
    );
  });

  it("unknown, other-tenant and pattern-forbidden documents are unavailable: repo.find rejects", async () => {
    const a = await client();
    const mine = a.repo.create<Counter>({ count: 1 });
    await until(() => strataHeads(mine, storageIdOf(a))?.length === 1, "stored");

    const other = await client({}, otherKey);
    await expect(other.repo.find(mine.url)).rejects.toThrow(/unavailable/i);
    const unknown = generateAutomergeUrl();
    await expect(a.repo.find(unknown)).rejects.toThrow(/unavailable/i);

    const narrow = (
      await t.tenantWithKey(["docs:read", "docs:write"], { patterns: ["nothing-matches"] })
    ).secret;
    const limited = await client({}, narrow);
    await expect(limited.repo.find(unknown)).rejects.toThrow(/unavailable/i);
  });

  it("a docs:read key syncs documents out; its own changes are not stored", async () => {
    const a = await client();
    const handle = a.repo.create<Counter>({ count: 1 });
    const strata = storageIdOf(a);
    await until(() => strataHeads(handle, strata)?.length === 1, "stored");
    const res = await t.admin("POST", `/v1/admin/tenants/${tenantId}/keys`, {
      name: "reader",
      scopes: ["docs:read"],
    });
    const reader = await client({}, ((await res.json()) as { secret: string }).secret);
    const seen = await reader.repo.find<Counter>(handle.url);
    expect(seen.doc().count).toBe(1);

    const answered = reader.adapter.received.length;
    seen.change((d) => (d.count = 99));
    await until(() => reader.adapter.received.length > answered, "Strata answers the reader");
    expect(await storedHeads(key, handle)).toEqual(sorted(decodeHeads(handle.heads())));

    handle.change((d) => (d.notes = ["still syncing"]));
    await until(() => seen.doc().notes?.[0] === "still syncing", "the reader receives new changes");
    expect(await storedHeads(key, handle)).toEqual(sorted(decodeHeads(handle.heads())));
  });

  it("relays ephemeral messages to the document's other peers", async () => {
    const a = await client();
    const b = await client();
    const handleA = a.repo.create<Counter>({ count: 0 });
    await until(() => strataHeads(handleA, storageIdOf(a))?.length === 1, "stored");
    const handleB = await b.repo.find<Counter>(handleA.url);
    const got: unknown[] = [];
    handleB.on("ephemeral-message", ({ message }) => got.push(message));
    // Repeated: the first may race B's channel opening on the server.
    await until(() => {
      handleA.broadcast({ cursor: 42 });
      return got.length > 0;
    }, "B receives A's ephemeral message");
    expect(got[0]).toEqual({ cursor: 42 });
  });

  it("an up-to-date client reconnecting exchanges only a few hundred bytes", async () => {
    const storage = new MemoryStorage();
    const peerId = `returning-${Date.now()}`;
    const first = await client({ storage, peerId });
    const handle = first.repo.create<Counter>({ count: 0, notes: [] });
    for (let i = 0; i < 300; i++)
      handle.change((d) => d.notes!.push(`note ${i} ${"x".repeat(20)}`));
    const strata = storageIdOf(first);
    await until(
      () => strataHeads(handle, strata)?.join() === sorted(handle.heads()).join(),
      "stored",
    );
    const firstBytes = first.adapter.sentBytes + first.adapter.receivedBytes;
    await new Promise((r) => setTimeout(r, 300)); // the client's throttled sync-state save
    await first.close();

    const again = await client({ storage, peerId });
    const back = await again.repo.find<Counter>(handle.url);
    await until(
      () => strataHeads(back, strata)?.join() === sorted(back.heads()).join(),
      "in sync again",
    );
    await new Promise((r) => setTimeout(r, 500)); // anything else the exchange would bring
    const bytes = again.adapter.sentBytes + again.adapter.receivedBytes;
    expect(back.doc().notes).toHaveLength(300);
    console.info(`sync bytes: first session ${firstBytes}, up-to-date reconnect ${bytes}`);
    expect(firstBytes).toBeGreaterThan(2_000);
    // join + peer + one small sync message each way (no bloom filter, no changes).
    expect(bytes).toBeLessThan(1000);
  });

  it("rejects upgrades without a valid credential (401) and keys without docs:read (403)", async () => {
    const status = (url: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(url);
        ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
        ws.on("open", () => resolve(101));
        ws.on("error", () => {});
      });
    expect(await status(`${t.baseUrl.replace("http", "ws")}/v1/docs/sync`)).toBe(401);
    expect(await status(syncUrl(t.baseUrl, "sk_bogus_key"))).toBe(401);
    const streamsOnly = (await t.tenantWithKey(["streams:read"])).secret;
    expect(await status(syncUrl(t.baseUrl, streamsOnly))).toBe(403);
  });

  it("answers malformed frames, unknown types and unsupported versions with an error and stays up", async () => {
    const garbage = await rawSocket(t.baseUrl, key);
    garbage.ws.send(Buffer.from([0xff, 0x00, 0x13, 0x37]));
    expect((await garbage.closed).code).toBe(1002);
    expect(garbage.frames[0]).toMatchObject({ type: "error" });

    const unknown = await rawSocket(t.baseUrl, key);
    unknown.send({ type: "join", senderId: "raw", supportedProtocolVersions: ["1"] });
    unknown.send({ type: "teleport", senderId: "raw", targetId: "x" });
    expect((await unknown.closed).code).toBe(1002);
    expect(unknown.frames.map((f) => f.type)).toEqual(["peer", "error"]);
    expect(String(unknown.frames[1]!.message)).toMatch(/unknown message type/i);

    const badSync = await rawSocket(t.baseUrl, key);
    badSync.send({ type: "join", senderId: "raw2", supportedProtocolVersions: ["1"] });
    badSync.send({
      type: "sync",
      senderId: "raw2",
      targetId: "x",
      documentId: parseAutomergeUrl(generateAutomergeUrl()).documentId,
      data: new Uint8Array([1, 2, 3]),
    });
    expect((await badSync.closed).code).toBe(1002);

    const old = await rawSocket(t.baseUrl, key);
    old.send({ type: "join", senderId: "raw3", supportedProtocolVersions: ["0"] });
    await old.closed;
    expect(old.frames[0]).toMatchObject({ type: "error", message: "unsupported protocol version" });

    // Still serving.
    const a = await client();
    const handle = a.repo.create<Counter>({ count: 3 });
    await until(() => strataHeads(handle, storageIdOf(a))?.length === 1, "stored after the abuse");
  });
});

describe("restart", () => {
  it("documents synced before a restart are intact after it, on the same database", async () => {
    const a = await client();
    const handle = a.repo.create<Counter>({ count: 0 });
    for (let i = 1; i <= 20; i++) handle.change((d) => (d.count = i));
    const strata = storageIdOf(a);
    await until(
      () => strataHeads(handle, strata)?.join() === sorted(handle.heads()).join(),
      "stored",
    );
    await a.close();
    clients.splice(clients.indexOf(a), 1);

    const { db, adminToken } = t;
    await t.close({ keepDatabase: true });
    t = await startTestApp({}, { db, adminToken });
    const b = await client();
    expect(storageIdOf(b)).toBe(strata);
    const found = await b.repo.find<Counter>(handle.url);
    expect(found.doc()).toEqual({ count: 20 });
    expect(sorted(found.heads())).toEqual(sorted(handle.heads()));
  });
});
