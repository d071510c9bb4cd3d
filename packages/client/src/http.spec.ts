import { createServer } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startStubServer, type StubServer } from "../test/stub-server.js";
import { StrataConnectionError, StrataError } from "./errors.js";
import { HttpTransport } from "./http.js";

describe(HttpTransport.name, () => {
  let server: StubServer;
  let http: HttpTransport;

  beforeAll(async () => {
    server = await startStubServer();
  });
  afterAll(() => server.close());
  beforeEach(() => {
    http = new HttpTransport({ baseUrl: server.url, token: "t", timeoutMs: 2_000 });
  });

  function failure(promise: Promise<unknown>): Promise<unknown> {
    return promise.then(
      () => expect.fail("the request should have failed"),
      (e: unknown) => e,
    );
  }

  it("carries every member of a problem body, including field errors", async () => {
    const problem = {
      type: "https://strata.dev/problems/validation_failed",
      title: "Bad Request",
      status: 400,
      detail: "scopes: give at least one scope (and 1 more)",
      code: "validation_failed",
      errors: [
        { path: "scopes", message: "give at least one scope" },
        { path: "name", message: "required" },
      ],
      request_id: "req-42",
    };
    server.reply({
      status: 400,
      headers: { "content-type": "application/problem+json" },
      body: JSON.stringify(problem),
    });

    const error = await failure(http.request({ method: "POST", path: "/x", body: {} }));
    expect(error).toBeInstanceOf(StrataError);
    const e = error as StrataError;
    expect(e.name).toBe("StrataError");
    expect(e.message).toBe(problem.detail);
    expect(e.problem).toEqual(problem);
    expect(e).toMatchObject({
      status: 400,
      code: "validation_failed",
      title: "Bad Request",
      detail: problem.detail,
      errors: problem.errors,
      requestId: "req-42",
      retryAfter: null,
    });
  });

  it("reads Retry-After as seconds, or as a date", async () => {
    server.reply({
      status: 429,
      headers: { "retry-after": "7" },
      body: { title: "Too Many Requests", status: 429, code: "rate_limited", detail: "slow down" },
    });
    expect(await failure(http.request({ method: "GET", path: "/x" }))).toMatchObject({
      code: "rate_limited",
      retryAfter: 7,
    });

    const inTenSeconds = new Date(Date.now() + 10_000).toUTCString();
    server.reply({ status: 503, headers: { "retry-after": inTenSeconds }, body: "" });
    const e = (await failure(http.request({ method: "GET", path: "/x" }))) as StrataError;
    expect(e.retryAfter).toBeGreaterThanOrEqual(8);
    expect(e.retryAfter).toBeLessThanOrEqual(11);
  });

  it("falls back to the retry_after_seconds member when there is no header", async () => {
    server.reply({
      status: 429,
      body: {
        title: "Too Many Requests",
        status: 429,
        code: "rate_limited",
        retry_after_seconds: 3,
      },
    });
    expect(await failure(http.request({ method: "GET", path: "/x" }))).toMatchObject({
      retryAfter: 3,
      detail: "",
      message: "Too Many Requests",
    });
  });

  it("turns an error that is not a problem (a proxy's page) into code http_<status>", async () => {
    server.reply({
      status: 502,
      headers: { "content-type": "text/html" },
      body: "<h1>Bad gateway</h1>",
    });
    expect(await failure(http.request({ method: "GET", path: "/x" }))).toMatchObject({
      status: 502,
      code: "http_502",
      title: "Bad Gateway",
      detail: "<h1>Bad gateway</h1>",
    });
  });

  it("says so when a success is not JSON (the base URL points elsewhere)", async () => {
    server.reply({ status: 200, headers: { "content-type": "text/html" }, body: "<html>" });
    expect(await failure(http.request({ method: "GET", path: "/x" }))).toMatchObject({
      status: 200,
      code: "invalid_response",
      message: expect.stringContaining("text/html") as unknown,
    });
  });

  it("does not follow redirects, so the token stays with the API", async () => {
    server.reply({ status: 302, headers: { location: "http://example.invalid/" } });
    expect(await failure(http.request({ method: "GET", path: "/x" }))).toMatchObject({
      status: 302,
      code: "http_302",
    });
    expect(server.requests.at(-1)?.url).toBe("/x");
  });

  it("reports a refused connection as StrataConnectionError naming the URL", async () => {
    const port = await closedPort();
    const offline = new HttpTransport({ baseUrl: `http://127.0.0.1:${port}`, token: "t" });

    const error = await failure(offline.request({ method: "GET", path: "/health/ready" }));
    expect(error).toBeInstanceOf(StrataConnectionError);
    expect(error).not.toBeInstanceOf(StrataError);
    expect(error).toMatchObject({
      url: `http://127.0.0.1:${port}/health/ready`,
      timedOut: false,
      reason: expect.stringContaining("ECONNREFUSED") as unknown,
      message: expect.stringContaining(
        `http://127.0.0.1:${port}/health/ready is unreachable`,
      ) as unknown,
    });
  });

  it("gives up after the timeout", async () => {
    server.reply({ hang: true });
    const impatient = new HttpTransport({ baseUrl: server.url, token: "t", timeoutMs: 100 });

    const error = await failure(impatient.request({ method: "GET", path: "/slow" }));
    expect(error).toBeInstanceOf(StrataConnectionError);
    expect(error).toMatchObject({ timedOut: true, reason: "no answer within 100 ms" });
  });
});

/** A port nobody listens on: bound, read, released. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const address = s.address();
      s.close(() => (typeof address === "object" && address ? resolve(address.port) : reject()));
    });
  });
}
