import {
  type FieldIssue,
  jsonBoundsIssue,
  MAX_JSON_DEPTH,
  storableText,
  STORABLE_MESSAGE,
  UriTooLong,
  ValidationFailed,
} from "@strata/core";
import { type FastifyInstance, type FastifyRequest } from "fastify";

/**
 * Longest request target (path and query) served. Below Node's 16 KiB
 * header limit, so a long URL gets its own 414 rather than a 431; the
 * longest legitimate one (a 1 KiB KV key, percent-encoded) is ~3 KiB.
 */
export const MAX_URL_LENGTH = 8192;

/**
 * Bounds every request before any handler, pipe or recursive walk sees it:
 * the URL's length, the nesting depth of a JSON body, and text PostgreSQL
 * cannot store (NUL, lone surrogates) in any path or query parameter, which
 * are all names, ids or cursors. Schemas check their own fields too; this is
 * the floor for routes (and future routes) whose schemas forget.
 */
export function registerInputBounds(fastify: FastifyInstance): void {
  fastify.addHook("onRequest", async (request) => {
    if (request.url.length > MAX_URL_LENGTH) throw new UriTooLong(MAX_URL_LENGTH);
  });
  fastify.addHook("preValidation", async (request) => {
    const issues = [...urlIssues(request)];
    if (issues.length > 0) throw new ValidationFailed(issues);
    if (deepEnoughToCheck(request)) {
      const issue = jsonBoundsIssue(request.body);
      if (issue) throw new ValidationFailed([issue]);
    }
  });
}

/**
 * Whether the body is parsed JSON that could nest past the limit: bodies that
 * are not JSON arrive as Buffers (message values, bytes), and JSON text that
 * nests past MAX_JSON_DEPTH needs an opening and a closing bracket per level.
 */
function deepEnoughToCheck(request: FastifyRequest): boolean {
  const body = request.body;
  if (body === null || typeof body !== "object" || Buffer.isBuffer(body)) return false;
  const length = Number(request.headers["content-length"]);
  // Without a Content-Length (chunked) the length is NaN: checked.
  return !(length < 2 * (MAX_JSON_DEPTH + 1));
}

function* urlIssues(request: FastifyRequest): Generator<FieldIssue> {
  for (const [where, values] of [
    ["path", request.params],
    ["query", request.query],
  ] as const) {
    if (values === null || typeof values !== "object") continue;
    for (const [name, value] of Object.entries(values)) {
      // A repeated query parameter is an array of strings.
      const all: unknown[] = Array.isArray(value) ? value : [value];
      if (!storableText(name))
        yield { path: where, message: `a parameter name ${STORABLE_MESSAGE}` };
      else if (all.some((v) => typeof v === "string" && !storableText(v)))
        yield { path: `${where}.${name === "*" ? "key" : name}`, message: STORABLE_MESSAGE };
    }
  }
}
