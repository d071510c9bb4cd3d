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
