/** One rejected field of a request: `path` is dotted (`scopes.0`), or a header/query name. */
export interface FieldError {
  readonly path: string;
  readonly message: string;
}

/**
 * An RFC 9457 problem body as the Strata API sends it (`application/problem+json`).
 * `code` is stable and meant for `switch`; `title` and `detail` are for people.
 * Error-specific members (e.g. `retry_after_seconds`) ride along.
 */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: string;
  readonly errors?: readonly FieldError[];
  /** Correlates with the server's logs; quote it in bug reports. */
  readonly request_id?: string;
  readonly [member: string]: unknown;
}

/** The API answered with an error status (or with a body that is not the promised JSON). */
export class StrataError extends Error {
  override readonly name = "StrataError";
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly errors: readonly FieldError[] | undefined;
  readonly requestId: string | undefined;
  /** Seconds to wait before trying again, from `Retry-After` or the problem body; null when not given. */
  readonly retryAfter: number | null;

  constructor(
    /** The problem body as received (normalized when the server sent something else). */
    readonly problem: Problem,
    retryAfter: number | null = null,
  ) {
    super(problem.detail || problem.title);
    this.status = problem.status;
    this.code = problem.code;
    this.title = problem.title;
    this.detail = problem.detail;
    this.errors = problem.errors;
    this.requestId = problem.request_id;
    this.retryAfter = retryAfter ?? numberMember(problem, "retry_after_seconds");
  }
}

/**
 * The API could not be reached: connection refused, DNS failure, reset, or no
 * answer within the timeout. Nothing is known about whether a mutation took effect.
 */
export class StrataConnectionError extends Error {
  override readonly name = "StrataConnectionError";
  /** What went wrong, without the URL: `connect ECONNREFUSED 127.0.0.1:8080`, `no answer within 10000 ms`. */
  readonly reason: string;

  constructor(
    /** The URL that was requested. */
    readonly url: string,
    /** True when the request was abandoned after the client's timeout. */
    readonly timedOut: boolean,
    options: { cause?: unknown; timeoutMs?: number } = {},
  ) {
    const reason = timedOut
      ? `no answer within ${options.timeoutMs ?? "?"} ms`
      : describeCause(options.cause);
    super(`${url} is unreachable: ${reason}`, { cause: options.cause });
    this.reason = reason;
  }
}

const DETAIL_MAX = 300;

/**
 * Builds the problem for an error response. A well-formed problem body is kept
 * as is; anything else (a proxy's HTML page, an empty body) becomes a problem
 * with code `http_<status>` so callers handle one shape.
 */
export function toProblem(status: number, statusText: string, bodyText: string): Problem {
  const parsed = parseJsonObject(bodyText);
  if (parsed && typeof parsed.code === "string" && typeof parsed.title === "string") {
    return {
      ...parsed,
      type: typeof parsed.type === "string" ? parsed.type : "about:blank",
      title: parsed.title,
      status: typeof parsed.status === "number" ? parsed.status : status,
      detail: typeof parsed.detail === "string" ? parsed.detail : "",
      code: parsed.code,
      errors: fieldErrors(parsed.errors),
      request_id: typeof parsed.request_id === "string" ? parsed.request_id : undefined,
    };
  }
  const title = statusText || `HTTP ${status}`;
  const text = bodyText.trim();
  return {
    type: "about:blank",
    title,
    status,
    detail: text ? truncate(text, DETAIL_MAX) : title,
    code: `http_${status}`,
  };
}

/** `Retry-After` as seconds: either delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(header: string | null, now: Date = new Date()): number | null {
  if (header === null) return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value);
  const at = Date.parse(value);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

function parseJsonObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

function fieldErrors(value: unknown): FieldError[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value
    .filter((e): e is Record<string, unknown> => typeof e === "object" && e !== null)
    .map((e) => ({ path: String(e.path ?? ""), message: String(e.message ?? "") }));
}

function numberMember(problem: Problem, key: string): number | null {
  const value = problem[key];
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * Node's fetch reports "fetch failed" and hides the socket error one level
 * down, in `cause` (an AggregateError with an empty message when every
 * address of a host refused).
 */
function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const inner = cause.cause;
  if (!(inner instanceof Error)) return cause.message;
  const code = (inner as { code?: unknown }).code;
  return inner.message || (typeof code === "string" ? code : inner.name);
}
