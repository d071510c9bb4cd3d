import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "./support/test-app.js";
import { TenantClient, text } from "./support/tenant-client.js";

let t: TestApp;
let c: TenantClient;
beforeAll(async () => {
  t = await startTestApp();
  c = new TenantClient(
    t.baseUrl,
    (await t.tenantWithKey(["streams:read", "streams:write"])).secret,
  );
});
afterAll(() => t?.close());

describe("stream catalog", () => {
  it("creates a stream with defaults, updates only the given fields, lists and deletes it", async () => {
    const created = await c.createStream("orders.eu");
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: "orders.eu",
      config: { discard: "old", dedup_window_seconds: 120, ack: "durable", max_messages: null },
      last_seq: 0,
    });
    const updated = await c.createStream("orders.eu", { max_messages: 10 });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ config: { max_messages: 10, dedup_window_seconds: 120 } });
    await c.createStream("orders.us");
    const list = await c.json<{ items: { name: string }[]; next_after: string | null }>(
      "GET",
      "/v1/streams?limit=1",
    );
    expect(list.body.items.map((i) => i.name)).toEqual(["orders.eu"]);
    expect(list.body.next_after).toBe("orders.eu");
    await c.append("orders.us", "before");
    expect((await c.request("DELETE", "/v1/streams/orders.us")).status).toBe(204);
    expect((await c.request("GET", "/v1/streams/orders.us")).status).toBe(404);
    expect((await c.append("orders.us", "gone")).status).toBe(404);
    // Re-created under the same name: a new stream, starting again at seq 1.
    await c.createStream("orders.us");
    expect((await c.append("orders.us", "after")).body.seq).toBe(1);
  });

  it("rejects a bad seq in the path or query with the field named", async () => {
    await c.createStream("seqs");
    const path = await c.json<{ errors: { path: string }[] }>(
      "GET",
      "/v1/streams/seqs/messages/abc",
    );
    expect(path.status).toBe(400);
    expect(path.body.errors[0]!.path).toBe("path.seq");
    const query = await c.json<{ errors: { path: string }[] }>(
      "GET",
      "/v1/streams/seqs/messages?from_seq=0",
    );
    expect(query.body.errors[0]!.path).toBe("query.from_seq");
    expect((await c.request("GET", "/v1/streams/seqs/messages/99")).status).toBe(404);
  });

  it("rejects bad names and bad config with the field named", async () => {
    const badName = await c.json<{ errors: { path: string }[] }>(
      "PUT",
      "/v1/streams/bad%20name",
      {},
    );
    expect(badName.status).toBe(400);
    expect(badName.body.errors[0]!.path).toBe("path.name");
    const badConfig = await c.json<{ errors: { path: string }[] }>("PUT", "/v1/streams/cfg", {
      discard: "sometimes",
      max_messages: -1,
      color: "red",
    });
    expect(badConfig.status).toBe(400);
    expect(badConfig.body.errors.map((e) => e.path).sort()).toEqual([
      "color",
      "discard",
      "max_messages",
    ]);
    expect((await c.request("GET", "/v1/streams/cfg")).status).toBe(404);
  });
});

describe("append and read", () => {
  it("appends raw bodies, envelopes and batches, and reads them back byte for byte", async () => {
    await c.createStream("mixed");
    // What `curl --data-binary` sends: a form content type, but the body is the value.
    const form = await c.request("POST", "/v1/streams/mixed/messages", "a=b&c", {
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(form.status).toBe(201);
    const formValue = await c.request("GET", "/v1/streams/mixed/messages/1");
    expect(Buffer.from(await formValue.arrayBuffer()).toString()).toBe("a=b&c");
    await c.request("POST", "/v1/streams/mixed/purge");
    const binary = Buffer.from([0, 1, 2, 255, 254, 10, 13]);
    const raw = await c.append("mixed", binary, { "strata-header-trace": "abc" });
    expect(raw.status).toBe(201);
    expect(raw.body).toMatchObject({ seq: 2, ack: "durable", duplicate: false });
    await c.append("mixed", { value_text: "hello", headers: { kind: "greeting" } });
    await c.append("mixed", { value_json: { a: 1 } });
    const batch = await c.append("mixed", {
      messages: [{ value_text: "x" }, { value_base64: "eXk=" }],
    });
    expect(batch.body).toMatchObject({ first_seq: 5, last_seq: 6, count: 2 });

    const all = await c.readAll("mixed");
    expect(all.map((m) => m.seq)).toEqual([2, 3, 4, 5, 6]);
    expect(Buffer.from(all[0]!.value_base64, "base64")).toEqual(binary);
    expect(all[0]!.headers).toEqual({ trace: "abc" });
    expect(all.slice(1).map(text)).toEqual(["hello", '{"a":1}', "x", "yy"]);
    expect(all[1]!.headers).toEqual({ kind: "greeting" });

    const one = await c.request("GET", "/v1/streams/mixed/messages/2");
    expect(one.headers.get("strata-seq")).toBe("2");
    expect(one.headers.get("strata-header-trace")).toBe("abc");
    expect(Buffer.from(await one.arrayBuffer())).toEqual(binary);
    const range = await c.json<{ messages: { seq: number }[]; next_seq: number }>(
      "GET",
      "/v1/streams/mixed/messages?from_seq=3&limit=2",
    );
    expect(range.body.messages.map((m) => m.seq)).toEqual([3, 4]);
    expect(range.body.next_seq).toBe(5);
  });

  it("rejects a batch with one bad message as a whole, writing nothing", async () => {
    await c.createStream("atomic");
    const res = await c.append("atomic", {
      messages: [{ value_text: "ok" }, { value_text: "a", value_base64: "YQ==" }],
    });
    expect(res.status).toBe(400);
    expect((res.body as unknown as { errors: { path: string }[] }).errors[0]!.path).toBe(
      "messages.1",
    );
    expect(await c.readAll("atomic")).toEqual([]);
  });

  it("refuses a NUL or lone surrogate in a header or msg id, naming the field, while other appends commit", async () => {
    await c.createStream("nul");
    const bad = [
      { messages: [{ value_text: "x", headers: { trace: "a\u0000b" } }] },
      { messages: [{ value_text: "x", msg_id: "id\u0000" }] },
      { messages: [{ value_text: "x", headers: { trace: "\ud800" } }] },
    ];
    const good = Array.from({ length: 20 }, (_, i) => c.append("nul", { value_text: `ok${i}` }));
    const refused = await Promise.all(bad.map((b) => c.append("nul", b)));
    expect(refused.map((r) => r.status)).toEqual([400, 400, 400]);
    expect(
      refused.map((r) => (r.body as unknown as { errors: { path: string }[] }).errors[0]!.path),
    ).toEqual(["messages.0.headers.trace", "messages.0.msg_id", "messages.0.headers.trace"]);
    expect((await Promise.all(good)).every((r) => r.status === 201)).toBe(true);
    expect((await c.readAll("nul")).map((m) => m.seq)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  });

  it("stores values larger than a row chunk and returns them intact", async () => {
    await c.createStream("large");
    const big = Buffer.alloc(3 * 1024 * 1024 + 17);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7919) % 251;
    expect((await c.append("large", big)).status).toBe(201);
    const back = await c.request("GET", "/v1/streams/large/messages/1");
    expect(Buffer.from(await back.arrayBuffer()).equals(big)).toBe(true);
  });

  it("de-duplicates by Strata-Msg-Id within the window", async () => {
    await c.createStream("dedup");
    const first = await c.append("dedup", "one", { "strata-msg-id": "m-1" });
    const again = await c.append("dedup", "one again", { "strata-msg-id": "m-1" });
    expect(again.body).toMatchObject({ seq: first.body.seq, duplicate: true });
    const batch = await c.append("dedup", {
      messages: [
        { value_text: "two", msg_id: "m-2" },
        { value_text: "dup", msg_id: "m-1" },
        { value_text: "two", msg_id: "m-2" },
      ],
    });
    expect(batch.body).toMatchObject({ first_seq: 2, last_seq: 2 });
    expect((await c.readAll("dedup")).map(text)).toEqual(["one", "two"]);
  });

  it("answers 409 when Strata-Expected-Last-Seq does not match", async () => {
    await c.createStream("occ");
    expect((await c.append("occ", "a", { "strata-expected-last-seq": "0" })).status).toBe(201);
    const stale = await c.append("occ", "b", { "strata-expected-last-seq": "0" });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ code: "wrong_last_seq", last_seq: 1 });
    expect((await c.append("occ", "b", { "strata-expected-last-seq": "1" })).status).toBe(201);
    const bad = await c.append("occ", "c", { "strata-expected-last-seq": "x" });
    expect(bad.status).toBe(400);
  });

  it("enforces max_message_bytes with 413 and discard policies at the limit", async () => {
    await c.createStream("small", { max_message_bytes: 4 });
    const big = await c.append("small", "12345");
    expect(big.status).toBe(413);
    expect(await c.readAll("small")).toEqual([]);

    await c.createStream("keep-new", { max_messages: 3, discard: "new" });
    for (const v of ["a", "b", "c"]) expect((await c.append("keep-new", v)).status).toBe(201);
    const full = await c.append("keep-new", "d");
    expect(full.status).toBe(409);
    expect(full.body.code).toBe("stream_full");
    expect((await c.readAll("keep-new")).map(text)).toEqual(["a", "b", "c"]);

    await c.createStream("keep-old", { max_messages: 3, discard: "old" });
    for (const v of ["a", "b", "c", "d", "e"]) await c.append("keep-old", v);
    expect((await c.readAll("keep-old")).map((m) => [m.seq, text(m)])).toEqual([
      [3, "c"],
      [4, "d"],
      [5, "e"],
    ]);
    const info = await c.json("GET", "/v1/streams/keep-old");
    expect(info.body).toMatchObject({
      first_seq: 3,
      last_seq: 5,
      messages: 3,
      owner: { node_id: expect.stringMatching(/^test-node-/), epoch: 1 },
    });

    await c.createStream("bytes-old", { max_bytes: 10, discard: "old" });
    for (const v of ["aaaa", "bbbb", "cccc", "dddd"]) await c.append("bytes-old", v);
    expect((await c.readAll("bytes-old")).map(text)).toEqual(["cccc", "dddd"]);
  });

  it("deletes one message, everything up to a seq, and purges, never reusing a seq", async () => {
    await c.createStream("del");
    for (const v of ["1", "2", "3", "4", "5"]) await c.append("del", v);
    expect((await c.request("DELETE", "/v1/streams/del/messages/5")).status).toBe(204);
    expect((await c.request("DELETE", "/v1/streams/del/messages/5")).status).toBe(404);
    const upTo = await c.json("DELETE", "/v1/streams/del/messages?up_to_seq=2");
    expect(upTo.body).toMatchObject({ deleted: 2, first_seq: 3 });
    expect((await c.readAll("del")).map((m) => m.seq)).toEqual([3, 4]);
    expect((await c.append("del", "6")).body.seq).toBe(6);
    const purge = await c.json("POST", "/v1/streams/del/purge");
    expect(purge.body).toMatchObject({ deleted: 3 });
    expect(await c.readAll("del")).toEqual([]);
    expect((await c.append("del", "7")).body.seq).toBe(7);
  });

  it("answers none and leader acks before the commit, and they still land", async () => {
    await c.createStream("acks");
    const none = await c.append("acks", "n", {}, "?ack=none");
    expect(none.status).toBe(202);
    expect(none.body.ack).toBe("none");
    const leader = await c.append("acks", "l", {}, "?ack=leader");
    expect(leader.body.ack).toBe("leader");
    const replicated = await c.append("acks", "r", {}, "?ack=replicated");
    // No synchronous standby here: the answer says what was really reached.
    expect(replicated.body.ack).toBe("durable");
    expect((await c.readAll("acks")).map(text)).toEqual(["n", "l", "r"]);
  });
});

describe("long-poll", () => {
  it("waits for the first new message when there is none yet", async () => {
    await c.createStream("poll");
    const started = Date.now();
    const pending = c.json<{ messages: { seq: number }[] }>(
      "GET",
      "/v1/streams/poll/messages?from_seq=1&wait=10",
    );
    await new Promise((r) => setTimeout(r, 200));
    await c.append("poll", "wake");
    const res = await pending;
    expect(res.body.messages.map((m) => m.seq)).toEqual([1]);
    expect(Date.now() - started).toBeLessThan(5000);
    const empty = await c.json<{ messages: unknown[] }>(
      "GET",
      "/v1/streams/poll/messages?from_seq=2&wait=0.3",
    );
    expect(empty.body.messages).toEqual([]);
  });
});

describe("durable consumers", () => {
  it("tracks the acked position and the lag, and never moves backwards on ack", async () => {
    await c.createStream("work");
    for (const v of ["a", "b", "c", "d"]) await c.append("work", v);
    expect((await c.json("PUT", "/v1/streams/work/consumers/billing")).status).toBe(201);
    expect((await c.json("GET", "/v1/streams/work/consumers/billing")).body).toMatchObject({
      acked_seq: 0,
      head: 4,
      lag: 4,
    });
    await c.json("POST", "/v1/streams/work/consumers/billing/ack", { seq: 3 });
    await c.json("POST", "/v1/streams/work/consumers/billing/ack", { seq: 1 });
    expect((await c.json("GET", "/v1/streams/work/consumers/billing")).body).toMatchObject({
      acked_seq: 3,
      lag: 1,
    });
    const beyond = await c.json("POST", "/v1/streams/work/consumers/billing/ack", { seq: 99 });
    expect(beyond.status).toBe(400);
    const info = await c.json<{ consumers: { name: string; lag: number }[] }>(
      "GET",
      "/v1/streams/work",
    );
    expect(info.body.consumers).toEqual([expect.objectContaining({ name: "billing", lag: 1 })]);
    expect((await c.request("DELETE", "/v1/streams/work/consumers/billing")).status).toBe(204);
    expect((await c.request("GET", "/v1/streams/work/consumers/billing")).status).toBe(404);
  });
});

describe("tenancy", () => {
  it("answers 404 for another tenant's stream and 403 outside the key's scopes or patterns", async () => {
    await c.createStream("private");
    await c.append("private", "secret");
    const other = new TenantClient(
      t.baseUrl,
      (await t.tenantWithKey(["streams:read", "streams:write"])).secret,
    );
    expect((await other.request("GET", "/v1/streams/private")).status).toBe(404);
    expect((await other.request("GET", "/v1/streams/private/messages")).status).toBe(404);
    expect((await other.append("private", "x")).status).toBe(404);
    expect((await other.request("DELETE", "/v1/streams/private")).status).toBe(404);
    expect((await other.json<{ items: unknown[] }>("GET", "/v1/streams")).body.items).toEqual([]);

    const reader = new TenantClient(
      t.baseUrl,
      (await t.tenantWithKey(["streams:read"], { patterns: ["orders.*"] })).secret,
    );
    expect((await reader.createStream("orders.x")).status).toBe(403);
    expect((await reader.append("orders.x", "x")).status).toBe(403);
    expect((await reader.request("GET", "/v1/streams/billing")).status).toBe(403);
  });
});
