import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { startTestApp, type TestApp } from "./support/test-app.js";
import { refusedUpgrade } from "./support/ws-client.js";

let t: TestApp;
let secret: string;
beforeAll(async () => {
  t = await startTestApp({
    STRATA_ADMIN_URL: "https://admin.example.test",
    STRATA_ALLOWED_ORIGINS: "https://app.example.test",
    STRATA_HEADERS_TIMEOUT_MS: "500",
  });
  ({ secret } = await t.tenantWithKey(["streams:read", "docs:read"]));
});
afterAll(() => t?.close());

/** Opens a WebSocket with these headers; resolves on open (then closes it). */
function opens(path: string, headers: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${t.baseUrl.replace("http", "ws")}${path}`, { headers });
    ws.on("open", () => {
      ws.close();
      resolve();
    });
    ws.on("unexpected-response", (_req, res) => reject(new Error(`refused: ${res.statusCode}`)));
    ws.on("error", reject);
  });
}

describe("WebSocket Origin allow-list", () => {
  it.each(["/v1/ws", "/v1/docs/sync"])(
    "refuses a browser on another origin at %s with a 403",
    async (path) => {
      const refused = await refusedUpgrade(`${t.baseUrl.replace("http", "ws")}${path}`, {
        authorization: `Bearer ${secret}`,
        origin: "https://evil.example.test",
      });
      expect(refused.status).toBe(403);
      expect(JSON.parse(refused.body)).toMatchObject({ code: "forbidden" });
    },
  );

  it("admits clients without an Origin, the node's own origin, the admin's and the listed ones", async () => {
    const auth = { authorization: `Bearer ${secret}` };
    await opens("/v1/ws", auth);
    await opens("/v1/ws", { ...auth, origin: t.baseUrl });
    await opens("/v1/ws", { ...auth, origin: "https://admin.example.test" });
    await opens("/v1/docs/sync", { ...auth, origin: "https://app.example.test" });
  });
});

describe("/metrics", () => {
  it("needs the operator token", async () => {
    expect((await fetch(`${t.baseUrl}/metrics`)).status).toBe(401);
    expect((await t.admin("GET", "/metrics", undefined, secret)).status).toBe(401);
    const res = await t.admin("GET", "/metrics");
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("strata_http_requests_total");
  });

  it("is public when STRATA_METRICS_PUBLIC=true", async () => {
    const open = await startTestApp({ STRATA_METRICS_PUBLIC: "true" });
    try {
      expect((await fetch(`${open.baseUrl}/metrics`)).status).toBe(200);
    } finally {
      await open.close();
    }
  });
});

describe("response headers", () => {
  it("send X-Content-Type-Options: nosniff on every kind of response", async () => {
    const responses = await Promise.all([
      fetch(`${t.baseUrl}/health/live`),
      fetch(`${t.baseUrl}/v1/streams`),
      fetch(`${t.baseUrl}/no/such/route`),
      fetch(`${t.baseUrl}/docs`),
      fetch(`${t.baseUrl}/docs/openapi.json`),
      t.admin("GET", "/metrics"),
    ]);
    for (const res of responses) expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });
});

describe("the API docs page", () => {
  it("loads its script from the node only, under a Content-Security-Policy", async () => {
    const page = await fetch(`${t.baseUrl}/docs`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/default-src 'none'/);
    const scriptSrc = /script-src ([^;]*)/.exec(csp)?.[1] ?? "";
    expect(scriptSrc).toMatch(/^'self' 'nonce-[A-Za-z0-9+/=]+'$/);
    const nonce = /'nonce-([^']+)'/.exec(scriptSrc)![1]!;
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    for (const attrs of scripts) expect(attrs).toContain(`nonce="${nonce}"`);
    const sources = scripts.flatMap((a) => /src="([^"]+)"/.exec(a)?.[1] ?? []);
    expect(sources.length).toBe(1);
    for (const src of sources) expect(src).toMatch(/^\/[^/]/);
    expect(html).not.toMatch(/https?:\/\//);

    const bundle = await fetch(`${t.baseUrl}${sources[0]}`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get("content-type")).toMatch(/javascript/);
    expect(await bundle.text()).toContain("createApiReference");
  });
});

describe("slow clients", () => {
  it("closes a socket that sends its headers slowly once the headers timeout passes", async () => {
    const socket = connect(Number(new URL(t.baseUrl).port), "127.0.0.1");
    let answer = "";
    socket.on("data", (d: Buffer) => (answer += d.toString()));
    const closed = new Promise<void>((r) => socket.once("close", () => r()));
    let isClosed = false;
    void closed.then(() => (isClosed = true));
    socket.write("GET /health/live HTTP/1.1\r\nHost: x\r\n");
    // One header line every 100 ms, never the blank line: at most 15 s of dribbling.
    for (let i = 0; i < 150 && !isClosed; i++) {
      await new Promise((r) => setTimeout(r, 100));
      if (!socket.destroyed) socket.write(`X-Slow-${i}: x\r\n`);
    }
    socket.destroy();
    expect(isClosed).toBe(true);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });
});
