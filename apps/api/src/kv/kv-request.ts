import {
  type KvCompare,
  kvKeySchema,
  parseInput,
  revisionSchema,
  ttlSchema,
  ValidationFailed,
} from "@strata/core";
import { type FastifyRequest } from "fastify";

/**
 * The key of `/v1/kv/{bucket}/keys/{key}[/touch]`, from the raw URL: keys may
 * contain `/`, so everything after `keys/` is the key, percent-decoded once
 * (send `%2F` or a plain `/`, `%25` for `%`).
 */
export function keyFromUrl(request: FastifyRequest, suffix?: "/touch" | "history"): string {
  const path = (request.raw.url ?? "").split("?")[0]!;
  const marker = suffix === "history" ? "/history/" : "/keys/";
  const at = path.indexOf(marker, "/v1/kv/".length);
  let raw = at >= 0 ? path.slice(at + marker.length) : "";
  if (suffix === "/touch" && raw.endsWith(suffix)) raw = raw.slice(0, -suffix.length);
  let key: string;
  try {
    key = decodeURIComponent(raw);
  } catch {
    throw new ValidationFailed([{ path: "path.key", message: "must be percent-encoded UTF-8" }]);
  }
  return parseInput(kvKeySchema, key, "path.key");
}

type Headers = Readonly<Record<string, string | string[] | undefined>>;

const single = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** `If-Match: <revision>` (quoted or not) or `*`, and `If-None-Match: *`, as a compare on `key`. */
export function preconditions(key: string, headers: Headers): KvCompare | undefined {
  const ifMatch = single(headers["if-match"])?.trim();
  const ifNoneMatch = single(headers["if-none-match"])?.trim();
  if (ifMatch === undefined && ifNoneMatch === undefined) return undefined;
  let compare: KvCompare = { key };
  if (ifMatch === "*") compare = { ...compare, exists: true };
  else if (ifMatch !== undefined) {
    const tag = ifMatch.replace(/^W\//, "").replace(/^"(.*)"$/, "$1");
    compare = { ...compare, revision: parseInput(revisionSchema, tag, "If-Match") };
  }
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch !== "*") {
      throw new ValidationFailed([
        { path: "If-None-Match", message: "only '*' (create-only) is supported" },
      ]);
    }
    compare = { ...compare, exists: false };
  }
  return compare;
}

/** `Strata-TTL: <seconds>` (0: never expire); undefined when absent. */
export function ttlHeader(headers: Headers): number | undefined {
  const raw = single(headers["strata-ttl"]);
  return raw === undefined ? undefined : parseInput(ttlSchema, raw, "Strata-TTL");
}

/** The raw request body as bytes (KV values are never parsed). */
export function bodyBytes(body: unknown): Uint8Array {
  if (Buffer.isBuffer(body)) return body;
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === "string") return Buffer.from(body, "utf8");
  return Buffer.from(JSON.stringify(body), "utf8");
}
