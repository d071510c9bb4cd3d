import { type IncomingMessage, type ServerResponse } from "node:http";
import { Injectable, type NestMiddleware } from "@nestjs/common";

/**
 * KV values are raw bytes whatever their content type: a JSON body must not
 * be parsed (and re-serialized), so a `PUT …/keys/{key}` is read as an
 * octet stream. Runs before Fastify picks a body parser.
 */
@Injectable()
export class KvRawBodyMiddleware implements NestMiddleware {
  use(req: IncomingMessage & { originalUrl?: string }, _res: ServerResponse, next: () => void) {
    // Nest strips the matched path from `url`; `originalUrl` keeps it.
    const url = req.originalUrl ?? req.url ?? "";
    if (req.method === "PUT" && /^\/v1\/kv\/[^/?]+\/keys\//.test(url)) {
      req.headers["content-type"] = "application/octet-stream";
    }
    next();
  }
}
