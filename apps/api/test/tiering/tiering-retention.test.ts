import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  appendVaried,
  seqs,
  startTieringFixture,
  type TieringFixture,
} from "./support/tiering-fixture.js";

let f: TieringFixture;
beforeAll(async () => {
  f = await startTieringFixture();
});
afterAll(() => f?.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("retention across both tiers", () => {
  it("applies max_messages to whole cold segments, then to hot rows", async () => {
    await f.c.createStream("counted", { dedup_window_seconds: 0 });
    await appendVaried(f.c, "counted", 300);
    await f.tier("counted");
    await appendVaried(f.c, "counted", 100, 300);
    expect(await f.tiers("counted")).toEqual({ hot: 100, segments: 6, cold: 300 });
    const keysBefore = await f.objects("counted");

    // 400 stored, 280 too many: five whole segments (250) go; the sixth is only partly over the
    // limit, so it stays (segment granularity), and no hot row may go before it.
    await f.c.createStream("counted", { max_messages: 120 });
    expect(await f.retention("counted")).toMatchObject({ messages: 250 });
    expect(seqs(await f.c.readAll("counted"))[0]).toBe(251);
    expect(await f.tiers("counted")).toEqual({ hot: 100, segments: 1, cold: 50 });
    // The dropped segments' objects are gone too.
    const keysAfter = await f.objects("counted");
    expect(keysAfter).toHaveLength(1);
    expect(keysBefore).toContain(keysAfter[0]);

    // Once the last segment is wholly over the limit, it goes, and then the hot tier is cut exactly.
    await f.c.createStream("counted", { max_messages: 40 });
    await f.retention("counted");
    const left = seqs(await f.c.readAll("counted"));
    expect(left).toEqual(Array.from({ length: 40 }, (_, i) => 361 + i));
    expect(await f.tiers("counted")).toEqual({ hot: 40, segments: 0, cold: 0 });
    expect(await f.objects("counted")).toEqual([]);
    const info = await f.c.json<{ messages: number; first_seq: number }>(
      "GET",
      "/v1/streams/counted",
    );
    expect(info.body).toMatchObject({ messages: 40, first_seq: 361 });
  });

  it("applies max_age to segments whose newest message is past it, and to hot rows", async () => {
    await f.c.createStream("aged", { dedup_window_seconds: 0 });
    await appendVaried(f.c, "aged", 100);
    await f.tier("aged");
    await sleep(2500);
    await appendVaried(f.c, "aged", 30, 100);
    await f.c.createStream("aged", { max_age_seconds: 2 });
    await f.retention("aged");
    expect(seqs(await f.c.readAll("aged"))).toEqual(Array.from({ length: 30 }, (_, i) => 101 + i));
    expect(await f.tiers("aged")).toEqual({ hot: 30, segments: 0, cold: 0 });
    expect(await f.objects("aged")).toEqual([]);
  });

  it("applies max_bytes across both tiers", async () => {
    await f.c.createStream("sized", { dedup_window_seconds: 0 });
    const hundred = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ value_text: String(i).padStart(100, "x") }));
    await f.c.append("sized", { messages: hundred(200) });
    await f.tier("sized");
    await f.c.append("sized", { messages: hundred(50) });
    // 25,000 B stored, 13,000 over: two whole segments (10,000 B) fit in that, the third does not.
    await f.c.createStream("sized", { max_bytes: 12_000 });
    expect(await f.retention("sized")).toMatchObject({ messages: 100 });
    expect(seqs(await f.c.readAll("sized"))[0]).toBe(101);
    // The hot tier alone is over 4,000 B: every segment goes, and the hot tier keeps its newest 4,000 B.
    await f.c.createStream("sized", { max_bytes: 4000 });
    await f.retention("sized");
    expect(seqs(await f.c.readAll("sized"))).toEqual(Array.from({ length: 40 }, (_, i) => 211 + i));
    expect(await f.tiers("sized")).toEqual({ hot: 40, segments: 0, cold: 0 });
  });

  it("keeps discard: old trims on appends in order across the tiers", async () => {
    await f.c.createStream("trimmed", { dedup_window_seconds: 0 });
    await appendVaried(f.c, "trimmed", 100);
    await f.tier("trimmed");
    await f.c.createStream("trimmed", { max_messages: 60 });
    // The next append must drop 41: one whole segment (50) does not fit, so nothing goes yet...
    await appendVaried(f.c, "trimmed", 1, 100);
    expect(seqs(await f.c.readAll("trimmed"))[0]).toBe(1);
    // ...until the excess covers the oldest segment entirely; hot rows never jump the queue.
    await appendVaried(f.c, "trimmed", 10, 101);
    const left = seqs(await f.c.readAll("trimmed"));
    expect(left[0]).toBe(51);
    expect(left).toEqual(Array.from({ length: 61 }, (_, i) => 51 + i));
  });
});

describe("unreadable cold data", () => {
  it("answers a corrupt or missing segment with a 5xx problem and an alert, never no data", async () => {
    await f.c.createStream("fragile", { dedup_window_seconds: 0 });
    await appendVaried(f.c, "fragile", 120);
    await f.tier("fragile");
    const keys = (await f.objects("fragile")).filter((k) => k.endsWith("/segment")).sort();
    expect(keys).toHaveLength(3);
    const object = Buffer.from(await f.store.get(keys[0]!));
    const mid = object.length >> 1;
    object.writeUInt8(object.readUInt8(mid) ^ 0xff, mid);
    await f.store.put(keys[0]!, object);
    await f.store.delete(keys[1]!);

    const res = await f.c.json<{ code: string; status: number; object_key: string }>(
      "GET",
      "/v1/streams/fragile/messages?from_seq=1",
    );
    expect(res.status).toBe(500);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(res.body).toMatchObject({ code: "segment_unreadable", object_key: keys[0] });
    expect((await f.c.request("GET", "/v1/streams/fragile/messages/3")).status).toBe(500);
    const missing = await f.c.json<{ code: string; object_key: string }>(
      "GET",
      "/v1/streams/fragile/messages?from_seq=51",
    );
    expect(missing.status).toBe(500);
    expect(missing.body).toMatchObject({ code: "segment_unreadable", object_key: keys[1] });
    // The intact segment still reads.
    const later = await f.c.json<{ messages: { seq: number }[] }>(
      "GET",
      "/v1/streams/fragile/messages?from_seq=101",
    );
    expect(later.body.messages.map((m) => m.seq)).toEqual(
      Array.from({ length: 20 }, (_, i) => 101 + i),
    );

    const alerts = (await (
      await f.t.admin("GET", "/v1/admin/alerts?kind=tier_corrupt")
    ).json()) as {
      items: { kind: string; resource: string; details: { object_key: string } }[];
    };
    const id = await f.streamId("fragile");
    const mine = alerts.items.filter((a) => a.resource === `stream:${id}`);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine[0]!.kind).toBe("tier_corrupt");
  });
});
