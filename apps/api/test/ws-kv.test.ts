import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "./support/test-app.js";
import { TenantClient } from "./support/tenant-client.js";
import { type Encoding, type Frame, TestWsClient } from "./support/ws-client.js";

let t: TestApp;
let key: string;
let http: TenantClient;
const open: TestWsClient[] = [];

beforeAll(async () => {
  t = await startTestApp();
  ({ secret: key } = await t.tenantWithKey(["kv:read", "kv:write", "streams:read"]));
  http = new TenantClient(t.baseUrl, key);
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});
afterAll(() => t?.close());

async function connect(opts: Parameters<typeof TestWsClient.connect>[1] = {}) {
  const c = await TestWsClient.connect(t.baseUrl, { key, ...opts });
  open.push(c);
  return c;
}

async function createBucket(config: object = { history: 1000 }, client = http): Promise<string> {
  const name = `b-${randomBytes(4).toString("hex")}`;
  expect((await client.json("PUT", `/v1/kv/${name}`, config)).status).toBe(201);
  return name;
}

async function put(
  bucket: string,
  k: string,
  value: string | Uint8Array,
  headers: Record<string, string> = {},
): Promise<number> {
  const res = await http.json<{ revision: number }>(
    "PUT",
    `/v1/kv/${bucket}/keys/${encodeURIComponent(k)}`,
    value,
    headers,
  );
  expect(res.status).toBe(200);
  return res.body.revision;
}

async function del(bucket: string, k: string): Promise<void> {
  expect((await http.request("DELETE", `/v1/kv/${bucket}/keys/${k}`)).status).toBe(200);
}

interface KvEv {
  revision: number;
  key: string;
  op: string;
  value?: Buffer;
  expires_at?: string;
}

/** Every event delivered to `sub`; values as Buffers in both encodings. */
function kvEvents(c: TestWsClient, sub: string | number, frames: Frame[] = c.frames): KvEv[] {
  return frames
    .filter((f) => f.type === "kv.events" && f.sub === sub)
    .flatMap((f) => f.events as Record<string, unknown>[])
    .map((e) => {
      const { value_base64, value, ...rest } = e;
      const bytes =
        typeof value_base64 === "string"
          ? Buffer.from(value_base64, "base64")
          : value instanceof Uint8Array
            ? Buffer.from(value)
            : undefined;
      return { ...(rest as unknown as KvEv), ...(bytes ? { value: bytes } : {}) };
    });
}

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);
const allBytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

describe.each<Encoding>(["json", "msgpack"])("kv.watch (%s)", (encoding) => {
  it("delivers every change from revision 1 exactly once, in order, while writes race", async () => {
    const bucket = await createBucket();
    await put(bucket, "bin", allBytes);
    for (let i = 0; i < 49; i++) await put(bucket, `k${i % 10}`, `v${i}`);
    const c = await connect({ encoding });
    c.send({ type: "kv.watch", id: "w", sub: "all", bucket, from_revision: 1 });
    const writes: Promise<unknown>[] = [];
    for (let burst = 0; burst < 10; burst++) {
      for (let i = 0; i < 15; i++) writes.push(put(bucket, `k${i}`, `b${burst}-${i}`));
      writes.push(del(bucket, `k${burst}`));
      await new Promise((r) => setTimeout(r, 5));
    }
    await Promise.all(writes);
    const total = 50 + 10 * 16;
    await c.until(() => kvEvents(c, "all").length >= total, 20_000);
    await c.roundTrip();

    expect(c.frames.find((f) => f.type === "kv.watching")).toMatchObject({
      id: "w",
      sub: "all",
      next_revision: 1,
    });
    const watching = c.frames.findIndex((f) => f.type === "kv.watching");
    const firstEvents = c.frames.findIndex((f) => f.type === "kv.events");
    expect(watching).toBeLessThan(firstEvents);
    const events = kvEvents(c, "all");
    expect(events.map((e) => e.revision)).toEqual(range(1, total));
    expect(events[0]).toMatchObject({ revision: 1, key: "bin", op: "put" });
    expect(events[0]!.value!.equals(allBytes)).toBe(true);
    expect(events[1]).toMatchObject({ key: "k0", op: "put" });
    expect(events[1]!.value!.toString()).toBe("v0");
    expect(events.filter((e) => e.op === "delete")).toHaveLength(10);
    for (const e of events.filter((e) => e.op === "delete")) expect(e.value).toBeUndefined();
    expect(events.every((e) => e.expires_at === undefined)).toBe(true);
    expect(c.errors()).toEqual([]);
  });

  it("filters by prefix and starts from now without from_revision", async () => {
    const bucket = await createBucket();
    await put(bucket, "a/0", "before");
    const c = await connect({ encoding });
    c.send({ type: "kv.watch", id: 1, sub: 1, bucket, prefix: "a/" });
    const watching = await c.waitFor((f) => f.type === "kv.watching");
    expect(watching).toMatchObject({ id: 1, sub: 1, next_revision: 2 });
    await put(bucket, "a/1", "x");
    await put(bucket, "b/1", "y");
    await put(bucket, "a/2", "z");
    await del(bucket, "a/1");
    await c.until(() => kvEvents(c, 1).length >= 3);
    await c.roundTrip();
    expect(kvEvents(c, 1).map((e) => [e.revision, e.key, e.op])).toEqual([
      [2, "a/1", "put"],
      [4, "a/2", "put"],
      [5, "a/1", "delete"],
    ]);
  });
});

describe("kv.watch", () => {
  it("delivers a TTL expiry as an `expire` event with its own revision", async () => {
    const bucket = await createBucket();
    const c = await connect({ encoding: "msgpack" });
    c.send({ type: "kv.watch", id: "w", sub: "ttl", bucket, from_revision: 1 });
    await c.waitFor((f) => f.type === "kv.watching");
    await put(bucket, "session", "s", { "strata-ttl": "1" });
    await c.until(() => kvEvents(c, "ttl").length >= 2, 15_000);
    const [written, expired] = kvEvents(c, "ttl");
    expect(written).toMatchObject({ revision: 1, key: "session", op: "put" });
    expect(new Date(written!.expires_at!).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(expired).toMatchObject({ revision: 2, key: "session", op: "expire" });
    expect(expired!.value).toBeUndefined();
  });

  it("answers `compacted` with the oldest revision for a start history no longer holds", async () => {
    const bucket = await createBucket({ history: 1 });
    for (const v of ["v1", "v2", "v3"]) await put(bucket, "x", v);
    const info = await http.json<{ compacted_revision: number }>("GET", `/v1/kv/${bucket}`);
    const oldest = info.body.compacted_revision + 1;
    expect(oldest).toBeGreaterThan(1);
    const c = await connect();
    c.send({ type: "kv.watch", id: "old", sub: "c", bucket, from_revision: 1 });
    const err = await c.waitFor((f) => f.type === "error");
    expect(err).toMatchObject({
      id: "old",
      sub: "c",
      code: "compacted",
      status: 410,
      retryable: false,
      details: { oldest_revision: oldest, requested_revision: 1 },
    });
    // The sub id was released: watching from the oldest revision works.
    c.send({ type: "kv.watch", id: "new", sub: "c", bucket, from_revision: oldest });
    await c.until(() => kvEvents(c, "c").length >= 1);
    expect(kvEvents(c, "c")[0]).toMatchObject({ revision: oldest, key: "x", op: "put" });
  });

  it("answers not_found for another tenant's bucket", async () => {
    const other = new TenantClient(
      t.baseUrl,
      (await t.tenantWithKey(["kv:read", "kv:write"])).secret,
    );
    const theirs = await createBucket({}, other);
    const c = await connect();
    c.send({ type: "kv.watch", id: "x", sub: "x", bucket: theirs, from_revision: 1 });
    const err = await c.waitFor((f) => f.type === "error");
    expect(err).toMatchObject({ id: "x", sub: "x", code: "not_found", status: 404 });
    expect(c.frames.some((f) => f.type === "kv.watching")).toBe(false);
  });

  it("answers forbidden without the kv:read scope or outside the key's patterns", async () => {
    const bucket = await createBucket();
    const streamsOnly = await connect({ key: (await t.tenantWithKey(["streams:read"])).secret });
    streamsOnly.send({ type: "kv.watch", id: 1, sub: 1, bucket });
    expect(await streamsOnly.waitFor((f) => f.type === "error")).toMatchObject({
      id: 1,
      code: "forbidden",
      status: 403,
    });
    const { secret } = await t.tenantWithKey(["kv:read"], { patterns: ["app.*"] });
    const patterned = await connect({ key: secret });
    patterned.send({ type: "kv.watch", id: 2, sub: 2, bucket: "billing" });
    expect(await patterned.waitFor((f) => f.type === "error")).toMatchObject({
      id: 2,
      code: "forbidden",
    });
  });

  it("answers a malformed kv.watch with malformed_frame naming the field", async () => {
    const c = await connect();
    const cases: [Record<string, unknown>, string][] = [
      [{ type: "kv.watch", id: 1, sub: 1 }, "bucket"],
      [{ type: "kv.watch", id: 2, sub: 2, bucket: "b", from_revision: 0 }, "from_revision"],
      [{ type: "kv.watch", id: 3, sub: 3, bucket: "b", prefix: "a\nb" }, "prefix"],
      [{ type: "kv.watch", id: 4, sub: 4, bucket: "b", revision: 1 }, "revision"],
    ];
    for (const [frame] of cases) c.send(frame);
    await c.until(() => c.errors().length === cases.length);
    cases.forEach(([frame, path], i) => {
      const err = c.errors()[i]!;
      expect(err).toMatchObject({ id: frame.id, code: "malformed_frame", status: 400 });
      const paths = (err.details as { errors: { path: string }[] }).errors.map((e) => e.path);
      expect(paths).toContain(path);
    });
  });

  it("shares sub ids with stream subscriptions and stops delivering after unsubscribe", async () => {
    const bucket = await createBucket();
    const c = await connect();
    c.send({ type: "kv.watch", id: 1, sub: "u", bucket });
    await c.waitFor((f) => f.type === "kv.watching");
    c.send({ type: "kv.watch", id: 2, sub: "u", bucket });
    c.send({ type: "subscribe", id: "s", sub: "u", stream: "any" });
    await c.until(() => c.errors().length === 2);
    expect(c.errors().map((e) => [e.id, e.code])).toEqual([
      [2, "subscription_exists"],
      ["s", "subscription_exists"],
    ]);
    await put(bucket, "a", "1");
    await c.until(() => kvEvents(c, "u").length === 1);
    c.send({ type: "unsubscribe", id: 3, sub: "u" });
    await c.waitFor((f) => f.type === "unsubscribed" && f.id === 3);
    const after = c.frames.length;
    await put(bucket, "a", "2");
    await put(bucket, "b", "3");
    await new Promise((r) => setTimeout(r, 100));
    await c.roundTrip();
    expect(kvEvents(c, "u", c.frames.slice(after))).toEqual([]);
    expect(kvEvents(c, "u")).toHaveLength(1);
  });

  it("pauses a watch on a client that does not read, then delivers the rest from storage", async () => {
    const bucket = await createBucket();
    const c = await connect({ encoding: "msgpack" });
    c.send({ type: "kv.watch", id: 1, sub: "slow", bucket });
    await c.waitFor((f) => f.type === "kv.watching");
    const socket = (c.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();
    const value = randomBytes(256 * 1024);
    const count = 96;
    for (let i = 0; i < count; i += 8) {
      await Promise.all(range(i, i + 7).map((n) => put(bucket, `k${n}`, value)));
    }
    socket.resume();
    await c.until(() => kvEvents(c, "slow").length >= count, 20_000);
    await c.roundTrip();
    expect(c.frames.some((f) => f.type === "slow_consumer" && f.sub === "slow")).toBe(true);
    const notice = c.frames.find((f) => f.type === "slow_consumer")!;
    expect(typeof notice.next_revision).toBe("number");
    const events = kvEvents(c, "slow");
    expect(events.map((e) => e.revision)).toEqual(range(1, count));
    expect(events.every((e) => e.value!.equals(value))).toBe(true);
  });
});
