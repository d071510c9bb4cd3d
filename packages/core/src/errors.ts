/**
 * Typed domain errors. Each carries a stable `code` (part of the public API:
 * clients switch on it) and a `status` hint. One exception filter in the API
 * maps them to RFC 9457 problem+json; one function maps them to WebSocket
 * error frames. Anything that is not a StrataError is an internal error.
 */
export abstract class StrataError extends Error {
  abstract readonly code: string;
  abstract readonly status: number;
  /** Extra members for the problem body (e.g. `current_revision`). */
  readonly details: Record<string, unknown> = {};
  /** Safe to retry the same request (e.g. after an ownership change). */
  readonly retryable: boolean = false;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** One rejected field: `path` is dotted (`messages.3.headers`), or the header/query name. */
export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * Issues listed in one answer; the message still counts the rest. A body of
 * 100,000 unknown fields would otherwise answer with megabytes of errors.
 */
export const MAX_LISTED_ISSUES = 100;

export class ValidationFailed extends StrataError {
  readonly code = "validation_failed";
  readonly status = 400;
  constructor(
    readonly issues: readonly FieldIssue[],
    message = describeIssues(issues),
  ) {
    super(message);
    this.details.errors = issues.slice(0, MAX_LISTED_ISSUES);
  }
}

function describeIssues(issues: readonly FieldIssue[]): string {
  const first = issues[0];
  if (!first) return "The request is not valid.";
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
  return `${first.path || "body"}: ${first.message}${more}`;
}

export class MalformedBody extends StrataError {
  readonly code = "malformed_body";
  readonly status = 400;
}

export class Unauthenticated extends StrataError {
  readonly code = "unauthenticated";
  readonly status = 401;
}

export class Forbidden extends StrataError {
  readonly code = "forbidden";
  readonly status = 403;
}

/** Also the answer for another tenant's resource: its existence is not revealed. */
export class NotFound extends StrataError {
  readonly code = "not_found";
  readonly status = 404;
  constructor(
    readonly kind: string,
    readonly resourceName: string,
  ) {
    super(`${kind} '${resourceName}' was not found.`);
    this.details.resource = { kind, name: resourceName };
  }
}

export class Conflict extends StrataError {
  readonly code: string = "conflict";
  readonly status = 409;
}

export class PayloadTooLarge extends StrataError {
  readonly code = "payload_too_large";
  readonly status = 413;
  constructor(
    readonly limitBytes: number,
    what = "The request body",
  ) {
    super(`${what} exceeds the limit of ${limitBytes} bytes.`);
    this.details.limit_bytes = limitBytes;
  }
}

/** The request itself (its line, its URL's encoding) is not valid HTTP, before any body. */
export class MalformedRequest extends StrataError {
  readonly code = "malformed_request";
  readonly status = 400;
}

/** The client did not send its whole request in time. */
export class RequestTimeout extends StrataError {
  readonly code = "request_timeout";
  readonly status = 408;
}

/** The request target (path and query) is longer than the server reads. */
export class UriTooLong extends StrataError {
  readonly code = "uri_too_long";
  readonly status = 414;
  constructor(
    readonly limit: number,
    what = "The request URL (path and query)",
  ) {
    super(`${what} exceeds the limit of ${limit} characters.`);
    this.details.limit = limit;
  }
}

/** The request's header block (URL included) is larger than the server reads. */
export class HeadersTooLarge extends StrataError {
  readonly code = "headers_too_large";
  readonly status = 431;
  constructor(readonly limitBytes: number) {
    super(
      `The request line and headers exceed the limit of ${limitBytes} bytes; send fewer or shorter headers, or a shorter URL.`,
    );
    this.details.limit_bytes = limitBytes;
  }
}

export class UnsupportedMediaType extends StrataError {
  readonly code = "unsupported_media_type";
  readonly status = 415;
}

/**
 * A quota is exhausted for now: the same request may succeed after
 * `retryAfterMs` (REST sends `Retry-After` in whole seconds, WS the ms).
 */
export class TooManyRequests extends StrataError {
  readonly code = "rate_limited";
  readonly status = 429;
  override readonly retryable = true;
  /** At least 1: the Retry-After header counts whole seconds. */
  readonly retryAfterSeconds: number;
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    this.details.retry_after_seconds = this.retryAfterSeconds;
    this.details.retry_after_ms = retryAfterMs;
  }
}

/**
 * One request asks for more than a quota ever allows at once (a batch of more
 * messages than `messages_per_second`): retrying it cannot help, splitting it does.
 */
export class ExceedsQuota extends StrataError {
  readonly code = "exceeds_quota";
  readonly status = 413;
  constructor(quota: string, limit: number, requested: number, what: string) {
    super(
      `The request's ${requested} ${what} exceed the tenant's quota of ${limit} (${quota}); split it into requests of at most ${limit}.`,
    );
    this.details.quota = quota;
    this.details.limit = limit;
    this.details.requested = requested;
  }
}

export class Unavailable extends StrataError {
  readonly code = "unavailable";
  readonly status = 503;
  override readonly retryable = true;
}
