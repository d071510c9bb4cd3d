import * as A from "@automerge/automerge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { DocClient, sortedHeads } from "./doc-client.js";

let t: TestApp;
let c: DocClient;
beforeAll(async () => {
  t = await startTestApp();
  c = new DocClient(t.baseUrl, (await t.tenantWithKey(["docs:read", "docs:write"])).secret);
});
afterAll(() => t?.close());

const binary = (id: string, heads: readonly string[]) =>
  c.request("GET", `/v1/docs/${id}?heads=${heads.join(",")}`, undefined, {
    accept: "application/octet-stream",
  });

describe("a past version as binary", () => {
  it("GET /v1/docs/{id}?heads= with Accept: application/octet-stream is that version's save()", async () => {
    const { id } = await c.create({ title: "v1" });
    let local = await c.load(id);
    const v1 = sortedHeads(local);
    local = await c.edit(id, local, (d) => (d.title = "v2"));
    // A concurrent branch: the past version holds only what the heads reach.
    const branch = A.change(A.clone(local), (d) => (d.side = true));
    local = await c.edit(id, local, (d) => (d.title = "v3"));
    const v3 = sortedHeads(local);
    expect(
      (await c.postChanges(id, A.getChanges(local, A.merge(A.clone(local), branch)))).status,
    ).toBe(200);

    const res1 = await binary(id, v1);
    expect(res1.status).toBe(200);
    expect(res1.headers.get("content-type")).toMatch(/application\/octet-stream/);
    expect(res1.headers.get("strata-heads")).toBe(v1.join(","));
    const past1 = A.load<Record<string, unknown>>(new Uint8Array(await res1.arrayBuffer()));
    expect(A.toJS(past1)).toEqual({ title: "v1" });
    expect(sortedHeads(past1)).toEqual(v1);

    const past3 = A.load<Record<string, unknown>>(
      new Uint8Array(await (await binary(id, v3)).arrayBuffer()),
    );
    expect(A.toJS(past3)).toEqual({ title: "v3" });
    expect(sortedHeads(past3)).toEqual(v3);
    expect(A.toJS(await c.load(id))).toEqual({ title: "v3", side: true });

    const unknown = await binary(id, ["ab".repeat(32)]);
    expect(unknown.status).toBe(404);
  });
});
