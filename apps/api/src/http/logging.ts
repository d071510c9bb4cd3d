import { type LoggerService } from "@nestjs/common";
import { randomUUID } from "node:crypto";
import { type IncomingMessage } from "node:http";
import pino, { type Logger, type LoggerOptions } from "pino";
import { redactText, serializeError } from "./log-redaction.js";

/** Query parameters that carry credentials (`?token=` for browsers and WebSockets). */
const SECRET_PARAMS = ["token", "key", "api_key"];

/** The URL with credential parameters masked, safe to log. */
export function redactUrl(url: string): string {
  const q = url.indexOf("?");
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  for (const name of SECRET_PARAMS) if (params.has(name)) params.set(name, "***");
  return `${url.slice(0, q)}?${params.toString()}`;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Reuse a caller's sane `x-request-id`, else make one. */
export function requestId(req: IncomingMessage): string {
  const given = req.headers["x-request-id"];
  return typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
}

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    base: { service: "strata-api" },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: ["req.headers.authorization", "req.headers.cookie", "*.secret", "*.token"],
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        url: redactUrl(req.url),
      }),
      // Database errors carry the statement's values (log-redaction.ts).
      err: serializeError,
      error: serializeError,
    },
    hooks: {
      // A message string may be an error's message (drizzle puts `params: …` in it).
      logMethod(args, method) {
        method.apply(
          this,
          args.map((a: unknown) => (typeof a === "string" ? redactText(a) : a)) as typeof args,
        );
      },
    },
  };
}

const STARTUP_CONTEXTS = new Set([
  "NestFactory",
  "InstanceLoader",
  "RoutesResolver",
  "RouterExplorer",
  "NestApplication",
]);

/** Nest's own log lines (bootstrap, filters) go through the same pino logger as requests. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...rest: unknown[]) {
    this.write("info", message, rest);
  }
  error(message: unknown, ...rest: unknown[]) {
    this.write("error", message, rest);
  }
  warn(message: unknown, ...rest: unknown[]) {
    this.write("warn", message, rest);
  }
  debug(message: unknown, ...rest: unknown[]) {
    this.write("debug", message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]) {
    this.write("trace", message, rest);
  }

  private write(
    level: "info" | "error" | "warn" | "debug" | "trace",
    message: unknown,
    rest: unknown[],
  ) {
    // Nest passes the context (a class name) last.
    const context = typeof rest[rest.length - 1] === "string" ? rest[rest.length - 1] : undefined;
    // Start-up chatter (every module and route) is for debugging, not for every start.
    if (level === "info" && typeof context === "string" && STARTUP_CONTEXTS.has(context))
      level = "debug";
    if (message instanceof Error) {
      // Spread, an error's own fields (a query's `params`) would skip the `err` serializer.
      this.logger[level]({ context, err: message }, message.message);
    } else if (typeof message === "object" && message !== null) {
      const [msg] = rest.filter((r) => typeof r === "string" && r !== context);
      this.logger[level]({ context, ...message }, msg as string | undefined);
    } else {
      this.logger[level]({ context }, String(message));
    }
  }
}
