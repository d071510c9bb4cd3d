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
  ({ secret: key } = await t.tenantWithKey(["kv:read", "kv:write"]));
  http = new TenantClient(t.baseUrl, key);
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});
afterAll(() => t?.close());

async function connect(encoding: Encoding, k = key) {
  const c = await TestWsClient.connect(t.baseUrl, { key: k, encoding });
  open.push(c);
  return c;
}

async function createBucket(config: object = { history: 10 }): Promise<string> {
  const name = `ws-${randomBytes(4).toString("hex")}`;
  expect((await http.json("PUT", `/v1/kv/${name}`, config)).status).toBe(201);
  return name;
}

interface Entry {
  id: unknown;
  key: string;
  revision: number;
  create_revision?: number;
  value: Buffer;
  expires_at?: string;
}

/** Every `kv.entries` answer, values as Buffers in both encodings. */
function entries(c: TestWsClient): Entry[] {
  return c.frames
    .filter((f) => f.type === "kv.entries")
    .flatMap((f) => f.entries as Record<string, unknown>[])
    .map((e) => {
      const { value_base64, value, ...rest } = e;
      const bytes =
        typeof value_base64 === "string"
          ? Buffer.from(value_base64, "base64")
          : Buffer.from(value as Uint8Array);
      return { ...(rest as unknown as Entry), value: bytes };
    });
}

function kvAcks(c: TestWsClient): { id: unknown; revision: number }[] {
  return c.frames
    .filter((f) => f.type === "kv.acks")
    .flatMap((f) => f.acks as { id: unknown; revision: number }[]);
}

const answered = (c: TestWsClient, id: unknown) => (f: Frame) =>
  (f.type === "error" && f.id === id) ||
  (f.type === "kv.acks" && (f.acks as { id: unknown }[]).some((a) => a.id === id)) ||
  (f.type === "kv.entries" && (f.entries as { id: unknown }[]).some((e) => e.id === id));

describe.each<Encoding>(["json", "msgpack"])("kv.put / kv.get / kv.delete (%s)", (encoding) => {
  it("puts, gets and deletes a key; the answers carry the revision", async () => {
    const bucket = await createBucket();
    const c = await connect(encoding);
    const value = Buffer.from([0, 1, 2, 255]);
    c.send({ type: "kv.put", id: "p", bucket, key: "a/b c", value, ttl_seconds: 3600 });
    await c.waitFor(answered(c, "p"));
    expect(kvAcks(c)).toEqual([{ id: "p", revision: 1 }]);

    c.send({ type: "kv.get", id: "g", bucket, key: "a/b c" });
    await c.waitFor(answered(c, "g"));
    const [got] = entries(c);
    expect(got).toMatchObject({ id: "g", key: "a/b c", revision: 1, create_revision: 1 });
    expect(got!.value.equals(value)).toBe(true);
    expect(Date.parse(got!.expires_at!)).toBeGreaterThan(Date.now());

    // REST sees the same key, and the WebSocket sees writes made over REST.
    const rest = await http.request("GET", `/v1/kv/${bucket}/keys/${encodeURIComponent("a/b c")}`);
    expect(rest.status).toBe(200);
    expect((await http.json("PUT", `/v1/kv/${bucket}/keys/other`, "from rest", {})).status).toBe(
      200,
    );
    c.send({ type: "kv.get", id: "g2", bucket, key: "other", revision: 2 });
    await c.waitFor(answered(c, "g2"));
    expect(entries(c)[1]).toMatchObject({ id: "g2", key: "other", revision: 2 });
    expect(entries(c)[1]!.create_revision).toBeUndefined();

    c.send({ type: "kv.delete", id: "d", bucket, key: "a/b c" });
    await c.waitFor(answered(c, "d"));
    expect(kvAcks(c).at(-1)).toEqual({ id: "d", revision: 3 });
    c.send({ type: "kv.get", id: "gone", bucket, key: "a/b c" });
    const err = await c.waitFor(answered(c, "gone"));
    expect(err).toMatchObject({ type: "error", id: "gone", code: "not_found", status: 404 });
  });

  it("compare-and-swap: if_revision and if_absent answer precondition_failed with the current revision", async () => {
    const bucket = await createBucket();
    const c = await connect(encoding);
    c.send({ type: "kv.put", id: 1, bucket, key: "k", value_text: "v1", if_absent: true });
    await c.waitFor(answered(c, 1));
    c.send({ type: "kv.put", id: 2, bucket, key: "k", value_text: "again", if_absent: true });
    const exists = await c.waitFor(answered(c, 2));
    expect(exists).toMatchObject({ type: "error", code: "precondition_failed", status: 412 });
    c.send({ type: "kv.put", id: 3, bucket, key: "k", value_text: "v2", if_revision: 1 });
    await c.waitFor(answered(c, 3));
    c.send({ type: "kv.put", id: 4, bucket, key: "k", value_text: "stale", if_revision: 1 });
    const stale = await c.waitFor(answered(c, 4));
    expect(stale).toMatchObject({ type: "error", code: "precondition_failed", retryable: false });
    expect(JSON.stringify(stale.details)).toEqual('{"current_revision":2}');
    c.send({ type: "kv.delete", id: 5, bucket, key: "k", if_revision: 1 });
    expect(await c.waitFor(answered(c, 5))).toMatchObject({ code: "precondition_failed" });
    expect(kvAcks(c)).toEqual([
      { id: 1, revision: 1 },
      { id: 3, revision: 2 },
    ]);
    c.send({ type: "kv.get", id: 6, bucket, key: "k" });
    await c.waitFor(answered(c, 6));
    expect(entries(c)[0]!.value.toString()).toBe("v2");
  });

  it("pipelined puts from several connections get dense, distinct revisions; the last write wins", async () => {
    const bucket = await createBucket({ history: 1 });
    const clients = await Promise.all([connect(encoding), connect(encoding), connect(encoding)]);
    const perClient = 300;
    clients.forEach((c, n) => {
      for (let i = 0; i < perClient; i++)
        c.send({ type: "kv.put", id: i, bucket, key: `k${i % 50}`, value_text: `${n}:${i}` });
    });
    await Promise.all(clients.map((c) => c.until(() => kvAcks(c).length === perClient, 20_000)));
    const revisions = clients.flatMap((c) => kvAcks(c).map((a) => a.revision));
    expect(revisions.sort((a, b) => a - b)).toEqual(
      Array.from({ length: 3 * perClient }, (_, i) => i + 1),
    );
    expect(clients.flatMap((c) => c.errors())).toEqual([]);
    // Each key holds the value of its highest revision.
    const c = clients[0]!;
    for (let k = 0; k < 50; k++) c.send({ type: "kv.get", id: `g${k}`, bucket, key: `k${k}` });
    await c.until(() => entries(c).length === 50);
    const info = await http.json<{ keys: number; last_revision: number }>(
      "GET",
      `/v1/kv/${bucket}`,
    );
    expect(info.body).toMatchObject({ keys: 50, last_revision: 3 * perClient });
    for (const e of entries(c)) {
      const writer = clients.findIndex((w) =>
        kvAcks(w).some((a) => a.revision === e.revision && `k${Number(a.id) % 50}` === e.key),
      );
      expect(writer).toBeGreaterThanOrEqual(0);
    }
  });

  // History 1 takes the upsert-only commit path; history 3 moves replaced rows to kv_events.
  it.each([1, 3])(
    "keeps the bucket's key and byte counters exact under pipelined puts and deletes (history %i)",
    async (history) => {
      const bucket = await createBucket({ history });
      const clients = await Promise.all([connect(encoding), connect(encoding), connect(encoding)]);
      const perClient = 400;
      clients.forEach((c, n) => {
        for (let i = 0; i < perClient; i++) {
          const key = `k${(i * 7 + n) % 40}`;
          if (i % 5 === 4) c.send({ type: "kv.delete", id: i, bucket, key });
          else
            c.send({ type: "kv.put", id: i, bucket, key, value: Buffer.alloc((i * 13) % 300, n) });
        }
      });
      const answers = (c: TestWsClient) =>
        kvAcks(c).length + c.errors().filter((e) => e.code === "not_found").length;
      await Promise.all(clients.map((c) => c.until(() => answers(c) === perClient, 20_000)));
      expect(clients.flatMap((c) => c.errors().filter((e) => e.code !== "not_found"))).toEqual([]);

      const listed = await http.json<{ items: { value_base64: string }[] }>(
        "GET",
        `/v1/kv/${bucket}/keys?limit=1000`,
      );
      const bytes = listed.body.items.reduce(
        (n, e) => n + Buffer.from(e.value_base64, "base64").length,
        0,
      );
      const info = await http.json<{ keys: number; bytes: number }>("GET", `/v1/kv/${bucket}`);
      expect(info.body).toMatchObject({ keys: listed.body.items.length, bytes });
    },
  );

  it("rejects bad frames and missing scopes without writing", async () => {
    const bucket = await createBucket();
    const c = await connect(encoding);
    c.send({ type: "kv.put", id: "bad", bucket, key: "a\u0001b", value_text: "x" });
    const bad = await c.waitFor(answered(c, "bad"));
    expect(bad).toMatchObject({ code: "malformed_frame" });
    expect(JSON.stringify(bad.details)).toContain('"path":"key"');
    c.send({ type: "kv.put", id: "two", bucket, key: "k", value_text: "x", value_base64: "eA==" });
    expect(await c.waitFor(answered(c, "two"))).toMatchObject({ code: "malformed_frame" });
    c.send({
      type: "kv.put",
      id: "both",
      bucket,
      key: "k",
      value_text: "x",
      if_absent: true,
      if_revision: 3,
    });
    expect(await c.waitFor(answered(c, "both"))).toMatchObject({ code: "malformed_frame" });
    c.send({ type: "kv.get", id: "nob", bucket: "no-such-bucket", key: "k" });
    expect(await c.waitFor(answered(c, "nob"))).toMatchObject({ code: "not_found" });

    const { secret: readOnly } = await t.tenantWithKey(["kv:read"]);
    const r = await connect(encoding, readOnly);
    r.send({ type: "kv.put", id: "ro", bucket, key: "k", value_text: "x" });
    // Another tenant's bucket is not found; a read-only key may not write.
    expect((await r.waitFor(answered(r, "ro"))).code).toMatch(/^(not_found|forbidden)$/);
    const info = await http.json<{ keys: number }>("GET", `/v1/kv/${bucket}`);
    expect(info.body.keys).toBe(0);
  });
});

/** The results of a batch frame `id`, its parts joined in order (values as Buffers). */
async function batchResults(c: TestWsClient, id: unknown): Promise<Record<string, unknown>[]> {
  const parts = () =>
    c.frames.filter((f) => f.type === "kv.results" && f.id === id) as (Frame & {
      offset: number;
      total: number;
      results: Record<string, unknown>[];
    })[];
  await c.waitFor(
    (f) =>
      (f.type === "error" && f.id === id) ||
      (f.type === "kv.results" &&
        f.id === id &&
        parts().reduce((n, p) => n + p.results.length, 0) === (f.total as number)),
  );
  const error = c.frames.find((f) => f.type === "error" && f.id === id);
  if (error) return [error as Record<string, unknown>];
  let at = 0;
  const joined: Record<string, unknown>[] = [];
  for (const p of parts()) {
    expect(p.offset).toBe(at);
    at += p.results.length;
    joined.push(
      ...p.results.map((r) => {
        const { value_base64, value, ...rest } = r;
        if (value_base64 === undefined && value === undefined) return r;
        const bytes =
          typeof value_base64 === "string"
            ? Buffer.from(value_base64, "base64")
            : Buffer.from(value as Uint8Array);
        return { ...rest, value: bytes };
      }),
    );
  }
  return joined;
}

describe.each<Encoding>(["json", "msgpack"])("kv.put_batch / kv.get_batch (%s)", (encoding) => {
  it("gives each entry its own revision in order; a failed condition or limit fails that entry alone", async () => {
    const bucket = await createBucket({ history: 10, max_value_bytes: 8 });
    const c = await connect(encoding);
    c.send({ type: "kv.put", id: "seed", bucket, key: "cas", value_text: "v1" });
    await c.waitFor(answered(c, "seed"));
    c.send({
      type: "kv.put_batch",
      id: "b",
      bucket,
      entries: [
        { key: "a", value_text: "1" },
        { key: "cas", value_text: "stale", if_revision: 7 },
        { key: "big", value_text: "123456789" },
        { key: "b", value_text: "2", ttl_seconds: 3600 },
        { key: "cas", value_text: "v2", if_revision: 1 },
        { key: "new", value_text: "n", if_absent: true },
        { key: "a", value_text: "again" },
      ],
    });
    const results = await batchResults(c, "b");
    expect(results).toEqual([
      { revision: 2 },
      {
        error: expect.objectContaining({
          code: "precondition_failed",
          status: 412,
          details: expect.objectContaining({ current_revision: 1 }),
        }),
      },
      { error: expect.objectContaining({ code: "payload_too_large", status: 413 }) },
      { revision: 3 },
      { revision: 4 },
      { revision: 5 },
      { revision: 6 },
    ]);
    c.send({ type: "kv.get_batch", id: "g", bucket, keys: ["a", "big", "cas", "b", "new"] });
    const got = await batchResults(c, "g");
    expect(
      got.map((r) => [r.key, r.revision, (r.value as Buffer | undefined)?.toString()]),
    ).toEqual([
      ["a", 6, "again"],
      ["big", undefined, undefined],
      ["cas", 4, "v2"],
      ["b", 3, "2"],
      ["new", 5, "n"],
    ]);
    expect(got[1]).toEqual({ key: "big", missing: true });
    expect(got[3]!.expires_at).toEqual(expect.any(String));
    const info = await http.json<{ keys: number; last_revision: number }>(
      "GET",
      `/v1/kv/${bucket}`,
    );
    expect(info.body).toMatchObject({ keys: 4, last_revision: 6 });
  });

  it("rejects a malformed batch as a whole, naming the entry, and writes nothing", async () => {
    const bucket = await createBucket();
    const c = await connect(encoding);
    const good = { key: "ok", value_text: "x" };
    for (const [id, entries] of [
      ["bad-key", [good, { key: "a\u0001b", value_text: "x" }]],
      ["two-values", [good, good, { key: "k", value_text: "x", value_base64: "eA==" }]],
      ["empty", []],
      ["too-many", Array.from({ length: 1001 }, (_, i) => ({ key: `k${i}`, value_text: "x" }))],
    ] as const) {
      c.send({ type: "kv.put_batch", id, bucket, entries });
      const [err] = await batchResults(c, id);
      expect(err, id).toMatchObject({ type: "error", code: "malformed_frame" });
      expect(JSON.stringify(err!.details), id).toContain('"path":"entries');
    }
    c.send({ type: "kv.get_batch", id: "no-keys", bucket, keys: [] });
    expect((await batchResults(c, "no-keys"))[0]).toMatchObject({ code: "malformed_frame" });
    const info = await http.json<{ keys: number; last_revision: number }>(
      "GET",
      `/v1/kv/${bucket}`,
    );
    expect(info.body).toMatchObject({ keys: 0, last_revision: 0 });

    const { secret: readOnly } = await t.tenantWithKey(["kv:read"]);
    const r = await connect(encoding, readOnly);
    r.send({ type: "kv.put_batch", id: "ro", bucket, entries: [good] });
    expect((await batchResults(r, "ro"))[0]!.code).toMatch(/^(not_found|forbidden)$/);
    r.send({ type: "kv.get_batch", id: "other", bucket, keys: ["ok"] });
    // Another tenant's bucket is not found.
    expect((await batchResults(r, "other"))[0]).toMatchObject({ code: "not_found" });
  });

  it("in a crdt bucket, a batch's accepted puts are one change; conditions and TTLs are refused per entry", async () => {
    const bucket = await createBucket({ mode: "crdt" });
    const c = await connect(encoding);
    c.send({
      type: "kv.put_batch",
      id: "m",
      bucket,
      entries: [
        { key: "a", value_text: "1" },
        { key: "b", value_text: "2", if_revision: 1 },
        { key: "c", value_text: "3", ttl_seconds: 5 },
        { key: "d", value_text: "4" },
      ],
    });
    const [a, b, ttl, d] = await batchResults(c, "m");
    expect(a).toEqual({ revision: expect.any(Number) });
    expect(d).toEqual(a);
    expect(b).toMatchObject({ error: { code: "cas_unavailable_in_crdt_mode" } });
    expect(ttl).toMatchObject({ error: { code: "unavailable_in_crdt_mode" } });
    c.send({ type: "kv.get_batch", id: "r", bucket, keys: ["a", "b", "d"] });
    const got = await batchResults(c, "r");
    expect(got.map((r) => (r.value as Buffer | undefined)?.toString() ?? r.missing)).toEqual([
      "1",
      true,
      "4",
    ]);
  });

  it("splits a large answer into parts by value bytes, each saying where it starts", async () => {
    const bucket = await createBucket();
    const c = await connect(encoding);
    const big = (n: number) => Buffer.alloc(400 * 1024, n);
    for (const n of [1, 2, 3, 4]) {
      await http.request("PUT", `/v1/kv/${bucket}/keys/k${n}`, big(n), {
        "content-type": "application/octet-stream",
      });
    }
    c.send({ type: "kv.get_batch", id: "big", bucket, keys: ["k1", "k2", "nope", "k3", "k4"] });
    const got = await batchResults(c, "big");
    const parts = c.frames.filter((f) => f.type === "kv.results" && f.id === "big");
    expect(parts.length).toBeGreaterThan(1);
    expect(got.map((r) => r.key)).toEqual(["k1", "k2", "nope", "k3", "k4"]);
    for (const [i, n] of [
      [0, 1],
      [1, 2],
      [3, 3],
      [4, 4],
    ] as const)
      expect((got[i]!.value as Buffer).equals(big(n))).toBe(true);
  });
});
