import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "./support/test-app.js";
import { SCOPES } from "@strata/core";

/**
 * Every route of the OpenAPI document, with hostile input in one place at a
 * time (each path parameter, each query parameter, the body): never a 5xx,
 * always a problem, and the node keeps answering. Hostile values are NUL,
 * lone surrogates, oversized numbers, odd unicode, injected parameters, deep
 * and wrongly typed JSON.
 */

interface Operation {
  parameters?: { in: string; name: string }[];
}
type Paths = Record<string, Record<string, Operation>>;

let t: TestApp;
let key: string;
let tenantId: string;
let keyId: string;
let paths: Paths;
beforeAll(async () => {
  t = await startTestApp();
  ({ secret: key, tenantId, keyId } = await t.tenantWithKey([...SCOPES]));
  paths = ((await (await fetch(`${t.baseUrl}/docs/openapi.json`)).json()) as { paths: Paths })
    .paths;
});
afterAll(() => t?.close());

/** A plausible value for each path parameter, so that only the fuzzed one is wrong. */
function placeholder(path: string, name: string): string {
  if (name === "keyId") return keyId;
  if (name === "tenant" || (name === "id" && path.startsWith("/v1/admin/tenants"))) return tenantId;
  return { name: "s", bucket: "b", consumer: "c", seq: "1", queue: "q", path: "k" }[name] ?? "x";
}

interface Probe {
  method: string;
  url: string;
  body?: string;
  contentType?: string;
}

const HOSTILE_CONTENT_TYPES = [
  "application/json; charset=utf-16",
  "application/json;;;",
  "application/json\u00e9",
  "multipart/form-data; boundary=x",
  "application/x-www-form-urlencoded",
  "a/b/c",
  "",
];

const HOSTILE_SEGMENTS = ["%00", "9".repeat(30), "-1", "1e400", "%E2%80%AE%F0%9F%98%80"];
const HOSTILE_QUERY = ["%00", "%ED%A0%80", "9".repeat(400), "%F0%9F%98%80", "a&{q}=b"];
const HOSTILE_BODIES = [
  "[".repeat(3000) + "]".repeat(3000),
  '{"a":'.repeat(200) + "1" + "}".repeat(200),
  JSON.stringify({ "\u0000": "\u0000", name: "\u0000", messages: [{ value_text: "\u0000" }] }),
  '{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}',
  "[]",
  '"x"',
  "null",
];

function probes(): Probe[] {
  const out: Probe[] = [];
  for (const [template, ops] of Object.entries(paths)) {
    const names = [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    const url = (bad?: string, value = "%00") =>
      template.replace(/\{(\w+)\}/g, (_, n: string) =>
        n === bad ? value : encodeURIComponent(placeholder(template, n)),
      );
    for (const [method, op] of Object.entries(ops)) {
      const m = method.toUpperCase();
      for (const n of names)
        for (const v of HOSTILE_SEGMENTS) out.push({ method: m, url: url(n, v) });
      for (const q of (op.parameters ?? []).filter((p) => p.in === "query")) {
        for (const v of HOSTILE_QUERY) {
          out.push({ method: m, url: `${url()}?${q.name}=${v.replace("{q}", q.name)}` });
        }
      }
      if (m === "POST" || m === "PUT" || m === "PATCH") {
        for (const contentType of HOSTILE_CONTENT_TYPES)
          out.push({ method: m, url: url(), body: '{"a":1}', contentType });
        for (const body of HOSTILE_BODIES) {
          // Valid path parameters here, so the body is what gets checked.
          out.push({ method: m, url: url(), body });
        }
      }
    }
  }
  return out;
}

/** What is wrong with the answer to `p`, or undefined when it is a non-5xx (problem when 4xx). */
async function check(p: Probe): Promise<string | undefined> {
  const admin = p.url.startsWith("/v1/admin");
  const res = await fetch(`${t.baseUrl}${p.url}`, {
    method: p.method,
    headers: {
      authorization: `Bearer ${admin ? t.adminToken : key}`,
      ...(p.body !== undefined ? { "content-type": p.contentType ?? "application/json" } : {}),
    },
    body: p.body,
  });
  const type = res.headers.get("content-type") ?? "";
  // A watch that the fuzzed value happened to make valid (an emoji prefix) streams on.
  if (type.startsWith("text/event-stream")) await res.body?.cancel();
  else await res.arrayBuffer();
  const label = `${p.method} ${p.url.slice(0, 120)}${p.body ? ` body ${p.body.slice(0, 30)} (${p.contentType ?? "json"})` : ""}`;
  if (res.status >= 500) return `${label} -> ${res.status}`;
  if (res.status >= 400 && !type.startsWith("application/problem+json"))
    return `${label} -> ${res.status} ${type}`;
  return undefined;
}

describe("OpenAPI-driven input fuzz", () => {
  it("answers every hostile input on every route with a 4xx problem and stays up", async () => {
    const queue = probes();
    expect(queue.length).toBeGreaterThan(900);
    const failures: string[] = [];
    // A few at a time: over a thousand requests one by one take long on a loaded machine.
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let p = queue.pop(); p; p = queue.pop()) {
          const failure = await check(p);
          if (failure) failures.push(failure);
        }
      }),
    );
    expect(failures.sort()).toEqual([]);
    expect((await fetch(`${t.baseUrl}/health/live`)).status).toBe(200);
  });
});
