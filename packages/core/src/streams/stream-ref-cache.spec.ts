import { describe, expect, it } from "vitest";
import { StreamRefCache } from "./stream-ref-cache.js";
import { DEFAULT_STREAM_CONFIG, type Stream, type StreamId } from "./stream.js";
import { type TenantId } from "../tenants/tenant.js";

const stream = (name: string, id = 1): Stream => ({
  id: id as StreamId,
  tenantId: "t" as TenantId,
  name,
  config: DEFAULT_STREAM_CONFIG,
  firstSeq: 1,
  lastSeq: 0,
  messages: 0,
  bytes: 0,
  createdAt: new Date(),
  updatedAt: new Date(),
});

describe(StreamRefCache.name, () => {
  it("forgets entries after the TTL and on delete, per tenant and name", () => {
    let now = 0;
    const cache = new StreamRefCache(
      1000,
      10,
      () => now,
      () => 0,
    );
    cache.set(stream("a"));
    expect(cache.get("t", "a")?.id).toBe(1);
    expect(cache.get("other", "a")).toBeUndefined();
    now = 999;
    expect(cache.get("t", "a")).toBeDefined();
    now = 1000;
    expect(cache.get("t", "a")).toBeUndefined();
    cache.set(stream("b"));
    cache.delete("t", "b");
    expect(cache.get("t", "b")).toBeUndefined();
  });

  it("spreads expiries over the last quarter of the TTL so entries cached together do not expire together", () => {
    let now = 0;
    let draw = 0;
    const cache = new StreamRefCache(
      1000,
      10,
      () => now,
      () => draw,
    );
    cache.set(stream("early"));
    draw = 0.999;
    cache.set(stream("late", 2));
    now = 751;
    expect(cache.get("t", "late")).toBeUndefined();
    expect(cache.get("t", "early")?.id).toBe(1);
    now = 1000;
    expect(cache.get("t", "early")).toBeUndefined();
  });

  it("keeps at most maxEntries, dropping the oldest", () => {
    const cache = new StreamRefCache(1000, 2, () => 0);
    cache.set(stream("a", 1));
    cache.set(stream("b", 2));
    cache.set(stream("c", 3));
    expect(cache.get("t", "a")).toBeUndefined();
    expect(cache.get("t", "c")?.id).toBe(3);
  });
});

describe(`${StreamRefCache.name} loading`, () => {
  it("shares one read among callers that miss together, and does not cache 'not found'", async () => {
    const cache = new StreamRefCache(
      1000,
      10,
      () => 0,
      () => 0,
    );
    let reads = 0;
    let answer: Stream | null = null;
    const fetch = async () => {
      reads++;
      await new Promise((r) => setTimeout(r, 5));
      return answer;
    };
    const [a, b] = await Promise.all([cache.load("t", "a", fetch), cache.load("t", "a", fetch)]);
    expect([a, b, reads]).toEqual([null, null, 1]);
    answer = stream("a");
    expect((await cache.load("t", "a", fetch))?.id).toBe(1);
    expect(reads).toBe(2);
    expect((await cache.load("t", "a", fetch))?.id).toBe(1);
    expect(reads).toBe(2);
  });

  it("reads a busy entry again before it expires, so it never goes missing", async () => {
    let now = 0;
    const cache = new StreamRefCache(
      1000,
      10,
      () => now,
      () => 0,
    );
    let reads = 0;
    const fetch = async () => {
      reads++;
      return stream("a", 10 + reads);
    };
    cache.set(stream("a", 1));
    now = 700;
    expect(cache.current("t", "a", fetch)?.id).toBe(1);
    expect(reads).toBe(0);
    now = 760;
    expect(cache.current("t", "a", fetch)?.id).toBe(1);
    expect(cache.current("t", "a", fetch)?.id).toBe(1);
    await new Promise((r) => setImmediate(r));
    expect(reads).toBe(1);
    now = 1500;
    expect(cache.current("t", "a", fetch)?.id).toBe(11);
  });

  it("lets a delete win over a read that was in flight", async () => {
    const cache = new StreamRefCache(
      1000,
      10,
      () => 0,
      () => 0,
    );
    let release: () => void = () => {};
    const read = cache.load("t", "a", async () => {
      await new Promise<void>((r) => (release = r));
      return stream("a");
    });
    cache.delete("t", "a");
    release();
    expect((await read)?.id).toBe(1);
    expect(cache.get("t", "a")).toBeUndefined();
  });
});
