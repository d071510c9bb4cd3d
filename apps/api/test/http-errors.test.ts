import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "./support/test-app.js";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ STRATA_BODY_LIMIT_BYTES: "4096" });
});
afterAll(() => t?.close());

const tenantCount = async () =>
  (await t.pool.query<{ n: number }>("select count(*)::int as n from tenants")).rows[0]!.n;

function post(body: string, contentType = "application/json") {
  return fetch(`${t.baseUrl}/v1/admin/tenants`, {
    method: "POST",
    headers: { authorization: `Bearer ${t.adminToken}`, "content-type": contentType },
    body,
  });
}

async function problem(res: Response) {
  expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  const body = (await res.json()) as Record<string, unknown>;
  expect(body).toMatchObject({
    status: res.status,
    type: expect.stringMatching(/^urn:strata:problem:/),
  });
  expect(body.request_id).toEqual(res.headers.get("x-request-id"));
  return body as { code: string; detail: string; errors?: { path: string; message: string }[] };
}

describe("bad input at the HTTP edge", () => {
  it("answers malformed JSON with 400 malformed_body and writes nothing", async () => {
    const before = await tenantCount();
    const res = await post('{"name": "x"');
    expect(res.status).toBe(400);
    expect((await problem(res)).code).toBe("malformed_body");
    expect(await tenantCount()).toBe(before);
  });

  it("names each unknown field", async () => {
    const res = await post(JSON.stringify({ name: "ok-name", colour: "red", size: 3 }));
    expect(res.status).toBe(400);
    const body = await problem(res);
    expect(body.code).toBe("validation_failed");
    expect(body.errors?.map((e) => e.path).sort()).toEqual(["colour", "size"]);
    expect(await tenantCount()).toBe(0);
  });

  it("lists at most 100 issues and counts the rest", async () => {
    const fields = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`f${i}`, 1]));
    const body = await problem(await post(JSON.stringify({ name: "ok-name", ...fields })));
    expect(body.errors).toHaveLength(100);
    expect(body.detail).toMatch(/\(and 299 more\)$/);
  });

  it("names a field of the wrong type", async () => {
    const res = await post(JSON.stringify({ name: 42 }));
    const body = await problem(res);
    expect(body.errors?.[0]?.path).toBe("name");
  });

  it("answers a body over the limit with 413 and stays up", async () => {
    const res = await post(JSON.stringify({ name: "x".repeat(10_000) }));
    expect(res.status).toBe(413);
    expect((await problem(res)).code).toBe("payload_too_large");
    const live = await fetch(`${t.baseUrl}/health/live`);
    expect(live.status).toBe(200);
  });

  it("answers a missing body and a non-JSON body with a clear 4xx", async () => {
    const empty = await fetch(`${t.baseUrl}/v1/admin/tenants`, {
      method: "POST",
      headers: { authorization: `Bearer ${t.adminToken}` },
    });
    expect(empty.status).toBe(400);
    await problem(empty);
    const xml = await post("<tenant/>", "application/xml");
    expect(xml.status).toBe(415);
    expect((await problem(xml)).code).toBe("unsupported_media_type");
  });

  it("answers unknown routes with a 404 problem", async () => {
    const res = await fetch(`${t.baseUrl}/v1/nothing-here`);
    expect(res.status).toBe(404);
    expect((await problem(res)).code).toBe("not_found");
  });

  it("echoes a caller's request id and makes one otherwise", async () => {
    const given = await fetch(`${t.baseUrl}/health/live`, {
      headers: { "x-request-id": "abc-123" },
    });
    expect(given.headers.get("x-request-id")).toBe("abc-123");
    const made = await fetch(`${t.baseUrl}/health/live`, {
      headers: { "x-request-id": "bad id with spaces" },
    });
    expect(made.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});

/** What the server writes back to raw bytes on a fresh socket (it closes after its answer). */
function rawExchange(bytes: string): Promise<{ head: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(new URL(t.baseUrl).port), "127.0.0.1");
    let data = "";
    socket.on("data", (c: Buffer) => (data += c.toString("latin1")));
    socket.on("error", reject);
    socket.on("close", () => {
      const at = data.indexOf("\r\n\r\n");
      resolve({ head: data.slice(0, at), body: data.slice(at + 4) });
    });
    socket.write(bytes);
  });
}

describe("Fastify's and Node's own refusals are problems too", () => {
  it("answers a URL that does not percent-decode with 400 malformed_request", async () => {
    const res = await fetch(`${t.baseUrl}/v1/streams/bad%zz`);
    expect(res.status).toBe(400);
    const body = await problem(res);
    expect(body.code).toBe("malformed_request");
    expect(body.detail).toMatch(/URL/);
  });

  it("answers a URL over the limit with 414 naming it", async () => {
    const res = await fetch(`${t.baseUrl}/v1/streams?after=${"a".repeat(9000)}`);
    expect(res.status).toBe(414);
    const body = await problem(res);
    expect(body.code).toBe("uri_too_long");
    expect(body.detail).toMatch(/limit of 8192 characters/);
  });

  it("routes names up to their own limit and answers a longer path segment with 414", async () => {
    // 255 characters is a valid stream name: the schema, not the router, decides.
    const named = await fetch(`${t.baseUrl}/v1/streams/${"a".repeat(255)}`);
    expect(named.status).toBe(401);
    await problem(named);
    const long = await fetch(`${t.baseUrl}/v1/streams/${"a".repeat(2000)}`);
    expect(long.status).toBe(414);
    expect((await problem(long)).code).toBe("uri_too_long");
  });

  it("answers headers over Node's limit with 431 and stays up", async () => {
    const res = await fetch(`${t.baseUrl}/health/live`, {
      headers: { "x-big": "b".repeat(20_000) },
    });
    expect(res.status).toBe(431);
    const body = await problem(res);
    expect(body.code).toBe("headers_too_large");
    expect(body.detail).toMatch(/headers/);
    expect((await fetch(`${t.baseUrl}/health/live`)).status).toBe(200);
  });

  it("answers a request that is not HTTP with 400 malformed_request", async () => {
    const { head, body } = await rawExchange("NOT HTTP AT ALL\r\n\r\n");
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(head).toMatch(/content-type: application\/problem\+json/i);
    const json = JSON.parse(body) as Record<string, unknown>;
    expect(json).toMatchObject({ status: 400, code: "malformed_request" });
    expect(head.toLowerCase()).toContain(`x-request-id: ${String(json.request_id)}`);
  });
});
