import { HttpException } from "@nestjs/common";
import { StrataError, Unavailable } from "@strata/core";
import { isTransientDatabaseError } from "@strata/db";

/** RFC 9457 problem details, with Strata's stable `code` and the request id. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  request_id?: string;
  [extra: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  409: "Conflict",
  412: "Precondition Failed",
  413: "Content Too Large",
  414: "URI Too Long",
  415: "Unsupported Media Type",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/** Fastify's own request errors (parsing, limits), by their FST_ code. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: "payload_too_large",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "unsupported_media_type",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "malformed_body",
  FST_ERR_CTP_EMPTY_JSON_BODY: "malformed_body",
  FST_ERR_CTP_INVALID_JSON_BODY: "malformed_body",
};

const STATUS_CODES: Record<number, string> = {
  400: "bad_request",
  401: "unauthenticated",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  413: "payload_too_large",
  415: "unsupported_media_type",
  429: "rate_limited",
};

function problem(status: number, code: string, detail: string, extra: object = {}): Problem {
  return {
    type: `urn:strata:problem:${code}`,
    title: TITLES[status] ?? "Error",
    status,
    detail,
    code,
    ...extra,
  };
}

/**
 * A lost database connection (a restart, a terminated backend) is no fault
 * of the request: the client gets a retryable 503, not an internal error.
 */
export function asStrataError(err: unknown): unknown {
  if (err instanceof StrataError || !isTransientDatabaseError(err)) return err;
  return new Unavailable("The database connection was lost; retry the request.");
}

/**
 * Maps anything thrown while serving a request to a problem. Unknown errors
 * become a bare 500: their message may hold internals, so only the request
 * id goes out (the log has the rest).
 */
export function toProblem(err: unknown): Problem {
  err = asStrataError(err);
  if (err instanceof StrataError) return problem(err.status, err.code, err.message, err.details);
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const cause = err.cause as { code?: string; message?: string } | undefined;
    if (cause?.code && FASTIFY_CODES[cause.code]) {
      const code = FASTIFY_CODES[cause.code]!;
      const detail =
        code === "malformed_body"
          ? `The request body is not valid: ${cause.message}`
          : cause.message!;
      return problem(status, code, detail);
    }
    if (cause instanceof SyntaxError) {
      return problem(400, "malformed_body", `The request body is not valid JSON: ${cause.message}`);
    }
    return problem(status, STATUS_CODES[status] ?? "error", httpMessage(err));
  }
  return problem(
    500,
    "internal",
    "An unexpected error occurred; the request id identifies it in the logs.",
  );
}

function httpMessage(err: HttpException): string {
  const body = err.getResponse();
  if (typeof body === "string") return body;
  const message = (body as { message?: unknown }).message;
  return Array.isArray(message) ? message.join("; ") : String(message ?? err.message);
}
