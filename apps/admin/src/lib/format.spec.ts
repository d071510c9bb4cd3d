import { describe, expect, it } from "vitest";
import {
  formatAge,
  formatBytes,
  formatDateTime,
  formatMs,
  formatNumber,
  formatRate,
  formatTime,
} from "./format";

describe("format", () => {
  it("writes dates in UTC, and leaves a value that is not a date as it is", () => {
    expect(formatDateTime("2025-01-31T12:00:00Z")).toBe("31 Jan 2025, 12:00 UTC");
    expect(formatDateTime("soon")).toBe("soon");
    expect(formatTime("2025-01-31T12:00:05.123Z")).toBe("12:00:05 UTC");
    expect(formatTime("later")).toBe("later");
  });

  it("says an age in its two largest units", () => {
    const now = new Date("2025-01-10T12:00:00Z");
    expect(formatAge("2025-01-07T08:05:00Z", now)).toBe("3 d 3 h");
    expect(formatAge("2025-01-10T11:55:00Z", now)).toBe("5 min");
    expect(formatAge("2025-01-10T11:59:30Z", now)).toBe("less than a minute");
    // A clock slightly ahead is not a negative age.
    expect(formatAge("2025-01-10T12:00:30Z", now)).toBe("less than a minute");
    expect(formatAge("not a date", now)).toBe("");
  });

  it("groups thousands and writes bytes in binary units", () => {
    expect(formatNumber(12345)).toBe("12,345");
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1023)).toBe("1023 B");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(5 * 1024 ** 3)).toBe("5.0 GiB");
    expect(formatBytes(3 * 1024 ** 5)).toBe("3072.0 TiB");
    expect(formatBytes(Number.NaN)).toBe("0 B");
    expect(formatBytes(-5)).toBe("0 B");
  });

  it("writes durations in ms, seconds, then as an age", () => {
    expect(formatMs(850.4)).toBe("850 ms");
    expect(formatMs(4200)).toBe("4.2 s");
    expect(formatMs(3 * 60_000)).toBe("3 min");
  });

  it("writes rates with two decimals below 1, one below 100 and whole numbers above", () => {
    expect(formatRate(1 / 60)).toBe("0.02/s");
    expect(formatRate(0.001)).toBe("0/s");
    expect(formatRate(1.26)).toBe("1.3/s");
    expect(formatRate(12)).toBe("12/s");
    expect(formatRate(1250.4, "msgs")).toBe("1,250 msgs/s");
    expect(formatRate(-1)).toBe("0/s");
    expect(formatRate(Number.NaN)).toBe("0/s");
  });
});
