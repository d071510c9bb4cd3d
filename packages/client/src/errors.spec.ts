import { describe, expect, it } from "vitest";
import { parseRetryAfter, toProblem } from "./errors.js";

describe(toProblem.name, () => {
  it("keeps a problem body and fills the members it lacks", () => {
    expect(toProblem(409, "Conflict", '{"title":"Conflict","code":"tenant_exists"}')).toEqual({
      type: "about:blank",
      title: "Conflict",
      status: 409,
      detail: "",
      code: "tenant_exists",
      errors: undefined,
      request_id: undefined,
    });
  });

  it("drops malformed field errors instead of failing", () => {
    const body = JSON.stringify({
      title: "Bad",
      code: "validation_failed",
      errors: [null, { path: "a" }],
    });
    expect(toProblem(400, "", body).errors).toEqual([{ path: "a", message: "" }]);
  });

  it("wraps an empty or foreign body", () => {
    expect(toProblem(500, "", "")).toMatchObject({
      title: "HTTP 500",
      detail: "HTTP 500",
      code: "http_500",
    });
    expect(toProblem(404, "Not Found", '["x"]')).toMatchObject({
      code: "http_404",
      detail: '["x"]',
    });
    expect(toProblem(500, "", "x".repeat(1000)).detail).toHaveLength(300);
  });
});

describe(parseRetryAfter.name, () => {
  const now = new Date("2025-01-31T12:00:00Z");

  it("reads delta-seconds and HTTP dates", () => {
    expect(parseRetryAfter("120", now)).toBe(120);
    expect(parseRetryAfter("Fri, 31 Jan 2025 12:00:30 GMT", now)).toBe(30);
    expect(parseRetryAfter("Fri, 31 Jan 2025 11:00:00 GMT", now)).toBe(0);
  });

  it("answers null when absent or unreadable", () => {
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter("soon", now)).toBeNull();
  });
});
