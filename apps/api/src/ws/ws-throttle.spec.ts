import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ReadThrottle } from "./ws-throttle.js";

describe("ReadThrottle", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function throttle() {
    const calls: string[] = [];
    const t = new ReadThrottle(
      () => calls.push("pause"),
      () => calls.push("resume"),
      500,
      1000,
    );
    return { t, calls };
  }

  it("pauses once for at least the minimum, however short the retry time", () => {
    const { t, calls } = throttle();
    t.hold(1);
    t.hold(1);
    expect(calls).toEqual(["pause"]);
    expect(t.active).toBe(true);
    vi.advanceTimersByTime(499);
    expect(calls).toEqual(["pause"]);
    vi.advanceTimersByTime(1);
    expect(calls).toEqual(["pause", "resume"]);
    expect(t.active).toBe(false);
  });

  it("pauses at most the maximum, and again after it resumed", () => {
    const { t, calls } = throttle();
    t.hold(60_000);
    vi.advanceTimersByTime(1000);
    expect(calls).toEqual(["pause", "resume"]);
    t.hold(700);
    vi.advanceTimersByTime(699);
    expect(calls).toEqual(["pause", "resume", "pause"]);
    vi.advanceTimersByTime(1);
    expect(calls).toEqual(["pause", "resume", "pause", "resume"]);
  });

  it("never resumes a connection it was cleared for (closed)", () => {
    const { t, calls } = throttle();
    t.hold(600);
    t.clear();
    vi.advanceTimersByTime(5000);
    expect(calls).toEqual(["pause"]);
    expect(t.active).toBe(false);
  });
});
