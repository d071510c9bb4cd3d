import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { createRequire } from "node:module";
import { apiReference } from "@scalar/nestjs-api-reference";
import { type FastifyInstance } from "fastify";

export const DOCS_BUNDLE_PATH = "/docs/assets/api-reference.js";

/** The reference UI's single-file browser bundle, from the pinned @scalar/api-reference. */
const bundleFile = createRequire(import.meta.url).resolve(
  "@scalar/api-reference/browser/standalone.js",
);

/**
 * The page loads only what this node serves: the bundle, the document and
 * requests to this API ("try it"). Inline scripts need this response's nonce;
 * styles may be inline because the bundle injects its own at run time.
 */
function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** The interactive API reference at /docs, with no script from anywhere but the node. */
export function serveApiDocsPage(fastify: FastifyInstance, openApiUrl: string): void {
  fastify.get("/docs", (_request, reply) => {
    const nonce = randomBytes(16).toString("base64");
    let html = "";
    // Without `withFastify` Scalar hands the page to `res.send`, so Fastify sends it (headers too).
    const render = apiReference({
      url: openApiUrl,
      cdn: DOCS_BUNDLE_PATH,
      nonce,
      // Its default fonts and its AI agent live on Scalar's servers: system fonts, no agent.
      withDefaultFonts: false,
      agent: { disabled: true },
    }) as (req: unknown, res: { send(body: string): void }) => void;
    render(undefined, { send: (body) => (html = body) });
    return reply
      .header("content-type", "text/html; charset=utf-8")
      .header("content-security-policy", contentSecurityPolicy(nonce))
      .header("cache-control", "no-store")
      .send(html);
  });
  fastify.get(DOCS_BUNDLE_PATH, (_request, reply) =>
    reply
      .header("content-type", "text/javascript; charset=utf-8")
      .header("cache-control", "public, max-age=3600")
      .send(createReadStream(bundleFile)),
  );
}
