import {
  BUCKET,
  CONSUMER,
  CRDT_BUCKET,
  type Fixture,
  KEY,
  type Scope,
  STREAM,
} from "./matrix-fixture.js";

/**
 * Every operation of the OpenAPI document as one concrete request on tenant
 * A's resources: valid path, query and body, so that the only thing a probe
 * can be refused for is its credential (a bad body would be a 400 before the
 * scope check and prove nothing).
 */

interface Operation {
  tags?: string[];
  security?: Record<string, unknown>[];
}
export type Paths = Record<string, Record<string, Operation>>;

export interface Route {
  /** "GET /v1/streams/{name}", as in the document. */
  label: string;
  method: string;
  url: string;
  body?: string | Uint8Array;
  contentType?: string;
  headers?: Record<string, string>;
  tag: string;
  admin: boolean;
  /** The scope the route needs; undefined when any valid tenant key may call it. */
  scope?: Scope;
  /** Names one of tenant A's resources in its path (another tenant must get 404). */
  resource: boolean;
  /** Creates the named resource when missing (another tenant gets its own). */
  creates: boolean;
}

/**
 * The scope each tenant route needs. The document carries no scope extension,
 * so it is derived from the tag and the method, with the one documented
 * exception: a consumer ack is the read side of a consumer (docs/protocol.md).
 * An unknown tag throws, so a new route family cannot slip past the matrix.
 */
export function requiredScope(tag: string, method: string, path: string): Scope | undefined {
  // The tenant routes need the scope they are asked about: the probes below ask for streams:write.
  if (tag === "tenant") return path === "/v1/whoami" ? undefined : "streams:write";
  if (tag !== "streams" && tag !== "kv" && tag !== "docs") {
    throw new Error(`no scope rule for tag ${tag} (${method} ${path})`);
  }
  if (method === "GET") return `${tag}:read`;
  if (method === "POST" && path.endsWith("/consumers/{consumer}/ack")) return "streams:read";
  return `${tag}:write`;
}

const JSON_BODIES: Record<string, unknown> = {
  "PUT /v1/streams/{name}": {},
  "POST /v1/streams/{name}/messages": { messages: [{ value_text: "x" }] },
  "PUT /v1/streams/{name}/consumers/{consumer}": {},
  "POST /v1/streams/{name}/consumers/{consumer}/ack": { seq: 1 },
  "PUT /v1/kv/{bucket}": {},
  "POST /v1/kv/{bucket}/txn": { success: [{ op: "put", key: "txn-key", value_text: "t" }] },
  "POST /v1/docs": { title: "x" },
  // Asking for a scope the key lacks is 403 (docs/protocol.md).
  "POST /v1/tokens": { scopes: ["streams:write"] },
};
function rawBody(label: string, f: Fixture): Uint8Array | undefined {
  if (label === "PUT /v1/kv/{bucket}/keys/{path}") return Buffer.from("v2");
  // A's own changes again: valid Automerge data, so that the document lookup is what answers.
  if (label === "POST /v1/docs/{id}/changes") return f.changes;
  return undefined;
}

function pathValue(f: Fixture, path: string, name: string): string {
  const adminTenant = path.startsWith("/v1/admin/tenants/") && name === "id";
  if (name === "tenant" || adminTenant) return f.tenantA;
  if (name === "id")
    return path.startsWith("/v1/docs") || path.startsWith("/v1/admin/docs") ? f.docId : "x";
  const values: Record<string, string> = {
    name: STREAM,
    consumer: CONSUMER,
    bucket: BUCKET,
    path: KEY,
    seq: "1",
    keyId: f.keyIdA,
    queue: "q",
  };
  return values[name] ?? "x";
}

function query(label: string, f: Fixture): string {
  if (label === "DELETE /v1/streams/{name}/messages") return "?up_to_seq=1";
  if (label === "GET /v1/whoami/access") return "?scope=streams:write";
  if (label === "GET /v1/docs/{id}/sync-status") return `?heads=${encodeURIComponent(f.heads)}`;
  if (label === "GET /v1/admin/kv/{tenant}/{bucket}/entry") return `?key=${KEY}`;
  return "";
}

export function routes(paths: Paths, f: Fixture): Route[] {
  const out: Route[] = [];
  for (const [template, ops] of Object.entries(paths)) {
    for (const [m, op] of Object.entries(ops)) {
      const method = m.toUpperCase();
      const label = `${method} ${template}`;
      const tag = op.tags?.[0] ?? "";
      if (tag === "operations") continue; // health probes: public by design
      const admin = template.startsWith("/v1/admin/");
      const secured = (op.security ?? []).map((s) => Object.keys(s)[0]);
      if (!secured.includes(admin ? "operator" : "tenant-key")) {
        throw new Error(
          `${label} does not declare the expected security scheme: ${secured.join()}`,
        );
      }
      let url = template.replace(/\{(\w+)\}/g, (_, n: string) =>
        encodeURIComponent(pathValue(f, template, n)),
      );
      // POST …/keys/{key} is the TTL touch: its path ends in /touch; the bucket has no default TTL.
      const touch = label === "POST /v1/kv/{bucket}/keys/{path}";
      if (touch) url += "/touch";
      url += query(label, f);
      const raw = rawBody(label, f);
      const json = label in JSON_BODIES ? JSON.stringify(JSON_BODIES[label]) : undefined;
      const writes = method !== "GET" && method !== "DELETE";
      out.push({
        label,
        method,
        url,
        body: raw ?? json ?? (admin && writes ? "{}" : undefined),
        contentType: raw !== undefined ? "application/octet-stream" : "application/json",
        headers: touch ? { "strata-ttl": "60" } : undefined,
        tag,
        admin,
        scope: admin ? undefined : requiredScope(tag, method, template),
        resource: !admin && /\{(name|bucket|id)\}/.test(template),
        creates: label === "PUT /v1/streams/{name}" || label === "PUT /v1/kv/{bucket}",
      });
    }
  }
  return [...out, ...out.filter((r) => !r.admin && r.label.includes("{bucket}")).map(crdt)];
}

/** The same KV route on the crdt bucket. */
function crdt(r: Route): Route {
  const url = r.url.replace(`/v1/kv/${BUCKET}`, `/v1/kv/${CRDT_BUCKET}`);
  const body = r.label === "PUT /v1/kv/{bucket}" ? JSON.stringify({ mode: "crdt" }) : r.body;
  return { ...r, label: `${r.label} [crdt]`, url, body };
}

/** Full-key order: reads and writes first, then deletes (and purge), sub-resources before parents. */
export function sanityOrder(rs: Route[]): Route[] {
  const rank = (r: Route) => (r.method === "DELETE" || r.label.endsWith("/purge") ? 1 : 0);
  return [...rs].sort(
    (a, b) => rank(a) - rank(b) || (rank(a) ? b.label.length - a.label.length : 0),
  );
}

/** `r` with the credential in the URL, as browsers send it (GET/HEAD only, docs/protocol.md). */
export function withQueryToken(r: Route, credential: string): Route {
  const sep = r.url.includes("?") ? "&" : "?";
  return { ...r, url: `${r.url}${sep}token=${encodeURIComponent(credential)}` };
}

export interface Answer {
  status: number;
  type: string;
  code?: string;
  text: string;
}

export async function send(baseUrl: string, r: Route, credential?: string): Promise<Answer> {
  const res = await fetch(`${baseUrl}${r.url}`, {
    method: r.method,
    headers: {
      ...(credential ? { authorization: `Bearer ${credential}` } : {}),
      ...(r.body !== undefined ? { "content-type": r.contentType! } : {}),
      ...r.headers,
    },
    body: r.body,
  });
  const type = res.headers.get("content-type") ?? "";
  // An SSE route that let the caller in would stream on: its status is all we need.
  if (type.startsWith("text/event-stream")) {
    await res.body?.cancel();
    return { status: res.status, type, text: "" };
  }
  const text = await res.text();
  let code: string | undefined;
  if (type.startsWith("application/problem+json"))
    code = (JSON.parse(text) as { code?: string }).code;
  return { status: res.status, type, code, text };
}

/** Whether `a` is anything but the documented denial: this status and code, as problem+json. */
export const denied = (status: number, code: string) => (a: Answer) =>
  !(a.status === status && a.code === code && a.type.startsWith("application/problem+json"));
