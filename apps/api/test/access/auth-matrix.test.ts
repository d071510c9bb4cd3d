import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { buildFixture, type Fixture, STREAM, BUCKET, CONSUMER } from "./matrix-fixture.js";
import {
  type Answer,
  denied,
  type Paths,
  type Route,
  routes,
  sanityOrder,
  send,
  withQueryToken,
} from "./matrix-routes.js";

/**
 * The authorization matrix over REST (issue 15): every route of the OpenAPI
 * document x every wrong credential, 100% denied with the status and code
 * docs/protocol.md documents, always as problem+json:
 *
 * - no credential, A's revoked key, a suspended tenant's key: 401 `unauthenticated`
 *   (a suspended tenant's keys stop authenticating; only a connection that was
 *   already open when it was suspended is told `forbidden`);
 * - A's key lacking the route's scope: 403 `forbidden`;
 * - tenant B's key on A's resources: 404 `not_found`, never a 200 or a 403
 *   that would tell B the resource exists;
 * - operator routes with a tenant key or none: 401.
 *
 * And, last, A's full key gets past auth on every route: otherwise a denial
 * would prove nothing.
 */

let t: TestApp;
let f: Fixture;
let all: Route[];
const counts: Record<string, number> = {};

beforeAll(async () => {
  t = await startTestApp();
  f = await buildFixture(t);
  const paths = ((await (await fetch(`${t.baseUrl}/docs/openapi.json`)).json()) as { paths: Paths })
    .paths;
  all = routes(paths, f);
});
afterAll(async () => {
  console.info(
    `auth matrix (REST): ${Object.entries(counts)
      .map(([k, n]) => `${k} ${n}`)
      .join(", ")}; total ${Object.values(counts).reduce((a, b) => a + b, 0)} probes`,
  );
  await t?.close();
});

const tenantRoutes = () => all.filter((r) => !r.admin);
const adminRoutes = () => all.filter((r) => r.admin);

/** Each route of `rs` with `credential(r)`, failures listed as "route -> answer". */
async function probe(
  name: string,
  rs: Route[],
  credential: (r: Route) => string | undefined,
  wrong: (a: Answer, r: Route) => boolean,
): Promise<string[]> {
  const failures: string[] = [];
  for (const r of rs) {
    const a = await send(t.baseUrl, r, credential(r));
    if (wrong(a, r)) {
      failures.push(
        `${r.label} (${r.url}) -> ${a.status} ${a.code ?? a.type} ${a.text.slice(0, 160)}`,
      );
    }
  }
  counts[name] = rs.length;
  return failures;
}

/** Not notAdmitted: a 4xx/5xx, but a crdt bucket's "not in crdt mode" (touch, history) that comes after auth. */
const notAdmitted = (a: Answer) => a.status >= 400 && a.code !== "unavailable_in_crdt_mode";

describe("REST authorization matrix (every OpenAPI route)", () => {
  it("covers every tenant and operator route of the document", () => {
    expect(tenantRoutes().length).toBeGreaterThanOrEqual(38);
    expect(adminRoutes().length).toBeGreaterThanOrEqual(35);
  });

  it("refuses every tenant route without a credential: 401 unauthenticated", async () => {
    const failures = await probe(
      "no key",
      tenantRoutes(),
      () => undefined,
      denied(401, "unauthenticated"),
    );
    expect(failures).toEqual([]);
  });

  // Each wrong credential as a key and as a short-lived token minted from it before it went bad.
  const credentialCases = () => [
    ["revoked key", f.revoked],
    ["revoked key's token", f.tokens.revoked],
    ["expired key", f.expired],
    ["deleted tenant's key", f.deletedTenant],
    ["deleted tenant's token", f.tokens.deletedTenant],
    ["suspended tenant's key", f.suspended],
    ["suspended tenant's token", f.tokens.suspended],
  ];

  it("refuses every tenant route with a revoked, expired, deleted or suspended credential: 401", async () => {
    const failures: string[] = [];
    for (const [name, credential] of credentialCases()) {
      failures.push(
        ...(await probe(name!, tenantRoutes(), () => credential, denied(401, "unauthenticated"))),
      );
    }
    expect(failures).toEqual([]);
  });

  it("refuses them as ?token= on every GET route too (SSE, reads): 401 unauthenticated", async () => {
    const gets = tenantRoutes().filter((r) => r.method === "GET");
    const failures: string[] = [];
    for (const [name, credential] of credentialCases()) {
      const probes = gets.map((r) => withQueryToken(r, credential!));
      failures.push(
        ...(await probe(
          `${name} (?token=)`,
          probes,
          () => undefined,
          denied(401, "unauthenticated"),
        )),
      );
    }
    expect(failures).toEqual([]);
  });

  it("never takes a valid ?token= for a write: 401 on every non-GET tenant route", async () => {
    const writes = tenantRoutes().filter((r) => r.method !== "GET");
    const failures: string[] = [];
    for (const [name, credential] of [
      ["A's full key (?token=, write)", f.full],
      ["A's token (?token=, write)", f.tokens.full],
    ]) {
      const probes = writes.map((r) => withQueryToken(r, credential!));
      const deny = denied(401, "unauthenticated");
      failures.push(...(await probe(name!, probes, () => undefined, deny)));
    }
    expect(failures).toEqual([]);
  });

  it("refuses every scoped route with A's key or token lacking that scope: 403 forbidden", async () => {
    const scoped = tenantRoutes().filter((r) => r.scope);
    expect(scoped.length).toBeGreaterThanOrEqual(37);
    const failures = [
      ...(await probe(
        "key without the scope",
        scoped,
        (r) => f.lacking[r.scope!],
        denied(403, "forbidden"),
      )),
      ...(await probe(
        "token without the scope",
        scoped,
        (r) => f.tokens.lacking[r.scope!],
        denied(403, "forbidden"),
      )),
    ];
    expect(failures).toEqual([]);
  });

  it("refuses A's resources to A's key whose name patterns admit none of them: 403 forbidden", async () => {
    // POST /v1/docs too: the new document's id is checked against the patterns.
    const rs = tenantRoutes().filter((r) => r.resource || r.label === "POST /v1/docs");
    const deny = denied(403, "forbidden");
    const failures = await probe(
      "key whose patterns exclude the name",
      rs,
      () => f.patterned,
      deny,
    );
    expect(failures).toEqual([]);
  });

  it("answers B's key on every one of A's resources 404 not_found", async () => {
    const rs = tenantRoutes().filter((r) => r.resource && !r.creates);
    const failures = await probe(
      "another tenant's key",
      rs,
      () => f.other,
      denied(404, "not_found"),
    );
    expect(failures).toEqual([]);
  });

  it("never lists A's resources to B, nor to A's key whose patterns exclude them", async () => {
    const lists = tenantRoutes().filter((r) => r.method === "GET" && !r.resource);
    const names = [STREAM, BUCKET, CONSUMER, f.docId];
    const leak = (more: string[]) => (a: Answer) =>
      a.status >= 300 || [...names, ...more].some((l) => a.text.includes(l));
    const failures = [
      ...(await probe("another tenant's key (lists)", lists, () => f.other, leak([f.tenantA]))),
      ...(await probe(
        "key whose patterns exclude the name (lists)",
        lists,
        () => f.patterned,
        leak([]),
      )),
    ];
    expect(failures).toEqual([]);
  });

  it("answers B's key on the other tenant routes about B only (whoami, tokens, new document)", async () => {
    const rs = tenantRoutes().filter((r) => !r.resource && r.method !== "GET");
    const failures = await probe(
      "another tenant's key (tenant routes)",
      rs,
      () => f.other,
      (a) => a.status >= 300 || a.text.includes(f.tenantA),
    );
    expect(failures).toEqual([]);
  });

  it("gives B its own, new resource where a PUT names one of A's (201, not A's 200)", async () => {
    const rs = tenantRoutes().filter((r) => r.creates);
    expect(rs.map((r) => r.label).sort()).toEqual([
      "PUT /v1/kv/{bucket}",
      "PUT /v1/kv/{bucket} [crdt]",
      "PUT /v1/streams/{name}",
    ]);
    const failures = await probe(
      "another tenant's key (creates)",
      rs,
      () => f.other,
      (a) => a.status !== 201,
    );
    expect(failures).toEqual([]);
  });

  it("refuses every operator route without a token: 401 unauthenticated", async () => {
    const failures = await probe(
      "admin, no token",
      adminRoutes(),
      () => undefined,
      denied(401, "unauthenticated"),
    );
    expect(failures).toEqual([]);
  });

  it("refuses every operator route with a tenant credential (A's key and token, B's key): 401", async () => {
    const failures: string[] = [];
    const tenantCredentials = [
      ["admin, A's full key", f.full],
      ["admin, A's token", f.tokens.full],
      ["admin, B's key", f.other],
    ];
    for (const [name, credential] of tenantCredentials) {
      const deny = denied(401, "unauthenticated");
      failures.push(...(await probe(name!, adminRoutes(), () => credential, deny)));
    }
    // A GET takes ?token= on tenant routes; an operator route must not take a tenant's that way.
    const gets = adminRoutes().filter((r) => r.method === "GET");
    const viaQuery = gets.map((r) => withQueryToken(r, f.tokens.full));
    failures.push(
      ...(await probe(
        "admin, A's token (?token=)",
        viaQuery,
        () => undefined,
        denied(401, "unauthenticated"),
      )),
    );
    expect(failures).toEqual([]);
  });

  it("lets the operator token read every operator GET route (the denials above are not a dead route)", async () => {
    const gets = adminRoutes().filter((r) => r.method === "GET");
    const failures = await probe(
      "admin sanity (operator GETs)",
      gets,
      () => t.adminToken,
      (a) => a.status >= 400,
    );
    expect(failures).toEqual([]);
  });

  it("lets A's full token in as ?token= on every GET route (so the ?token= denials count)", async () => {
    const gets = tenantRoutes().filter((r) => r.method === "GET");
    const probes = gets.map((r) => withQueryToken(r, f.tokens.full));
    const failures = await probe(
      "sanity (A's token, ?token=)",
      probes,
      () => undefined,
      notAdmitted,
    );
    expect(failures).toEqual([]);
  });

  it("lets A's full key past auth on every tenant route (last: it deletes A's resources)", async () => {
    const failures = await probe(
      "sanity (A's full key)",
      sanityOrder(tenantRoutes()),
      () => f.full,
      notAdmitted,
    );
    expect(failures).toEqual([]);
  });
});
