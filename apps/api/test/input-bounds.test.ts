import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH } from "@strata/core";
import { startTestApp, type TestApp } from "./support/test-app.js";
import { TestWsClient } from "./support/ws-client.js";
import { SCOPES } from "@strata/core";

let t: TestApp;
let key: string;
let tenantId: string;
beforeAll(async () => {
  t = await startTestApp();
  ({ secret: key, tenantId } = await t.tenantWithKey([...SCOPES]));
  for (const path of ["/v1/streams/s", "/v1/kv/b"])
    expect((await call("PUT", path, {})).status).toBe(201);
});
afterAll(() => t?.close());

/** A request as the tenant (or the operator). */
function call(method: string, path: string, body?: unknown, as: "tenant" | "operator" = "tenant") {
  return fetch(`${t.baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${as === "operator" ? t.adminToken : key}`,
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
    },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** A 400 validation_failed problem, naming `path` when given, that does not echo a NUL. */
async function refused(res: Response, path?: string) {
  const text = await res.text();
  expect({ status: res.status, type: res.headers.get("content-type") }).toEqual({
    status: 400,
    type: expect.stringMatching(/^application\/problem\+json/),
  });
  expect(text).not.toContain("\\u0000");
  const body = JSON.parse(text) as { code: string; detail: string; errors?: { path: string }[] };
  expect(body.code).toBe("validation_failed");
  if (path !== undefined) expect(body.errors?.map((e) => e.path)).toContain(path);
  return body;
}

describe("text PostgreSQL cannot store, in URLs and names", () => {
  it.each([
    ["/v1/docs?after=%00", "query.after", "tenant"],
    ["/v1/admin/tenants?after=%00", "query.after", "operator"],
    ["/v1/admin/streams?tenant=%00", "query.tenant", "operator"],
    ["/v1/admin/kv?tenant=%00", "query.tenant", "operator"],
    ["/v1/admin/docs?tenant=%00", "query.tenant", "operator"],
    ["/v1/admin/inventory?tenant=%00", "query.tenant", "operator"],
    ["/v1/admin/placement?node=%00", "query.node", "operator"],
    ["/v1/admin/streams/%00/s", "path.tenant", "operator"],
    ["/v1/admin/kv/%00/b", "path.tenant", "operator"],
    ["/v1/admin/docs/%00/x", "path.tenant", "operator"],
  ] as const)("GET %s is a 400 naming %s", async (path, field, as) => {
    await refused(await call("GET", path, undefined, as), field);
  });

  it("refuses a node id with a NUL instead of echoing it in a 404", async () => {
    await refused(
      await call("POST", "/v1/admin/nodes/a%00/drain", undefined, "operator"),
      "path.id",
    );
  });

  it("refuses a key name with a NUL, creating no key", async () => {
    const keys = `/v1/admin/tenants/${tenantId}/keys`;
    const body = { name: "a\u0000b", scopes: ["kv:read"] };
    await refused(await call("POST", keys, body, "operator"), "name");
    const list = (await (await call("GET", keys, undefined, "operator")).json()) as {
      items: unknown[];
    };
    expect(list.items).toHaveLength(1);
  });
});

const deepArray = (n: number) => "[".repeat(n) + "]".repeat(n);
const deepObject = (n: number) => '{"a":'.repeat(n) + "1" + "}".repeat(n);

describe("JSON nested past the limit", () => {
  it.each([
    ["POST", "/v1/docs", deepObject(3000)],
    ["POST", "/v1/docs", deepObject(MAX_JSON_DEPTH + 1)],
    ["POST", "/v1/streams/s/messages", `{"messages":[{"value_json":${deepArray(5000)}}]}`],
    [
      "POST",
      "/v1/kv/b/txn",
      `{"success":[{"op":"put","key":"k","value_json":${deepArray(5000)}}]}`,
    ],
    ["PUT", "/v1/streams/deep", deepObject(5000)],
  ])("%s %s is a 400 naming the limit, and the node keeps serving", async (method, path, body) => {
    const res = await call(method, path, body);
    const problem = await refused(res);
    expect(problem.detail).toContain(`deeper than ${MAX_JSON_DEPTH} levels`);
    // Still served, up to the limit, by an Automerge that works (its WASM aborts, then
    // spins, on a document 3,000 levels deep).
    const doc = await call("POST", "/v1/docs", deepObject(MAX_JSON_DEPTH - 1));
    expect(doc.status).toBe(201);
  });

  // Written by hand: the client's own encoders overflow on a value this deep.
  const deepPing = {
    json: `{"type":"ping","id":${deepArray(5000)}}`,
    msgpack: Buffer.concat([
      Buffer.of(0x82), // a map of two entries
      Buffer.from("\xa4type\xa4ping\xa2id", "latin1"),
      Buffer.alloc(1000, 0x91), // a fixarray of one element, 1,000 times (msgpackr overflows at 5,000)
      Buffer.of(0x01),
    ]),
  };

  it.each(["json", "msgpack"] as const)(
    "answers a %s WebSocket frame nested past the limit with malformed_frame, and carries on",
    async (encoding) => {
      const ws = await TestWsClient.connect(t.baseUrl, { key, encoding });
      try {
        ws.sendRaw(deepPing[encoding], encoding === "msgpack");
        const err = await ws.waitFor((f) => f.type === "error");
        expect(err).toMatchObject({ code: "malformed_frame", status: 400 });
        expect(String(err.message)).toContain(`deeper than ${MAX_JSON_DEPTH} levels`);
        await ws.roundTrip();
      } finally {
        await ws.close();
      }
    },
  );
});
