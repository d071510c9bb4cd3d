import { describe, expect, it } from "vitest";
import { TokenBucket } from "./token-bucket.js";

function clock() {
  let now = new Date("2026-01-01T00:00:00Z").getTime();
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
}

describe(TokenBucket.name, () => {
  it("allows a burst of one second of the rate, then refills with time", () => {
    const c = clock();
    const bucket = new TokenBucket(5, c);
    for (let i = 0; i < 5; i++) expect(bucket.take(1)).toEqual({ ok: true });
    expect(bucket.take(1)).toEqual({ ok: false, retryAfterMs: 200 });
    c.advance(200);
    expect(bucket.take(1)).toEqual({ ok: true });
    expect(bucket.take(1).ok).toBe(false);
  });

  it("takes a request only when it holds all of its tokens, never going into debt", () => {
    const c = clock();
    const bucket = new TokenBucket(50, c);
    expect(bucket.capacity).toBe(50);
    expect(bucket.take(40)).toEqual({ ok: true });
    expect(bucket.take(40)).toEqual({ ok: false, retryAfterMs: 600 });
    c.advance(600);
    expect(bucket.take(40)).toEqual({ ok: true });
    expect(bucket.take(1)).toEqual({ ok: false, retryAfterMs: 20 });
  });
});
