import { describe, expect, it } from "vitest";
import { SegmentCache } from "./segment-cache.js";
import { type DecodedSegment } from "./segment-format.js";

const seg = (memoryBytes: number): DecodedSegment => ({
  firstSeq: 1,
  lastSeq: 1,
  entries: [],
  memoryBytes,
});

describe(SegmentCache.name, () => {
  it("shares one load between concurrent readers of the same key", async () => {
    const cache = new SegmentCache(1000);
    let loads = 0;
    const load = async () => {
      loads++;
      return seg(10);
    };
    const [a, b] = await Promise.all([cache.get("k", load), cache.get("k", load)]);
    expect(a).toBe(b);
    expect(loads).toBe(1);
    await cache.get("k", load);
    expect(loads).toBe(1);
  });

  it("evicts the least recently used entries to stay within its byte budget", async () => {
    const cache = new SegmentCache(100);
    await cache.get("a", async () => seg(40));
    await cache.get("b", async () => seg(40));
    await cache.get("a", async () => seg(40));
    await cache.get("c", async () => seg(40));
    expect(cache.bytes).toBeLessThanOrEqual(100);
    let reloaded = 0;
    await cache.get("b", async () => (reloaded++, seg(40)));
    await cache.get("a", async () => (reloaded++, seg(40)));
    expect(reloaded).toBe(2);
  });

  it("does not keep a segment larger than the whole budget, nor a failed load", async () => {
    const cache = new SegmentCache(10);
    await cache.get("huge", async () => seg(11));
    expect(cache.size).toBe(0);
    await expect(cache.get("bad", () => Promise.reject(new Error("boom")))).rejects.toThrow();
    expect(await cache.get("bad", async () => seg(1))).toMatchObject({ memoryBytes: 1 });
  });
});
