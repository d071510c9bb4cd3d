import { type IncomingMessage } from "node:http";
import { Forbidden } from "@strata/core";

/**
 * Which browser pages may open a WebSocket. A browser always sends `Origin` on
 * a WebSocket handshake and sends cookies and `?token=` from the page, so a
 * page on another site could otherwise act with a credential it got hold of
 * (cross-site WebSocket hijacking). Allowed: no Origin (not a browser), the
 * node's own host, the admin UI's origin, and STRATA_ALLOWED_ORIGINS (`*`: any).
 */
export class OriginCheck {
  private readonly allowed: ReadonlySet<string>;
  private readonly any: boolean;

  constructor(config: { readonly adminUrl: string; readonly allowedOrigins: readonly string[] }) {
    this.any = config.allowedOrigins.includes("*");
    this.allowed = new Set(
      [config.adminUrl, ...config.allowedOrigins.filter((o) => o !== "*")].map(
        (o) => new URL(o).origin,
      ),
    );
  }

  /** Throws Forbidden when a browser on another origin made the request. */
  assert(req: IncomingMessage): void {
    const origin = req.headers.origin;
    if (origin === undefined || this.any) return;
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      // `null` (a sandboxed or file page) or garbage: not an allowed origin.
    }
    if (parsed && (this.allowed.has(parsed.origin) || parsed.host === req.headers.host)) return;
    throw new Forbidden(
      `WebSocket connections from origin ${JSON.stringify(origin.slice(0, 200))} are not allowed (STRATA_ALLOWED_ORIGINS).`,
    );
  }
}
