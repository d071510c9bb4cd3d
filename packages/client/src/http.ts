import { parseRetryAfter, StrataConnectionError, StrataError, toProblem } from "./errors.js";

/** The `fetch` signature the clients need; pass your own to add tracing, proxies or test doubles. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface TransportOptions {
  /** Where the API listens, e.g. `http://localhost:8080`; a path prefix is kept. */
  readonly baseUrl: string;
  /** Sent as `Authorization: Bearer <token>`. */
  readonly token: string;
  readonly fetch?: FetchLike;
  /** Abandon a request (and its body) after this long; 10 s when omitted. */
  readonly timeoutMs?: number;
}

export type QueryValue = string | number | boolean | undefined;

export interface RequestSpec {
  readonly method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Starts with `/`; callers encode dynamic segments with `segment()`. */
  readonly path: string;
  /** Undefined values are left out. */
  readonly query?: Readonly<Record<string, QueryValue>>;
  readonly body?: unknown;
  /** Statuses other than 2xx whose JSON body is a result, not an error (e.g. 503 of readiness). */
  readonly alsoAccept?: readonly number[];
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Builds requests, sends them and turns every answer into either a parsed
 * body or a StrataError / StrataConnectionError. Shared by both clients.
 */
export class HttpTransport {
  readonly baseUrl: string;
  private readonly token: string;
  private readonly fetch: FetchLike;
  private readonly timeoutMs: number;

  constructor(options: TransportOptions) {
    this.baseUrl = normalizeBaseUrl(options.baseUrl);
    if (!options.token) throw new TypeError("A token is required.");
    this.token = options.token;
    this.fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** Resolves with the parsed JSON body, or undefined for 204. */
  async request<T>(spec: RequestSpec): Promise<T> {
    const url = this.url(spec.path, spec.query);
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.token}`,
      accept: "application/json, application/problem+json",
    };
    const init: RequestInit = {
      method: spec.method,
      headers,
      signal: AbortSignal.timeout(this.timeoutMs),
      redirect: "manual",
    };
    if (spec.body !== undefined) {
      headers["content-type"] = "application/json";
      init.body = JSON.stringify(spec.body);
    }

    let response: Response;
    let text: string;
    try {
      response = await this.fetch(url, init);
      text = await response.text();
    } catch (err) {
      const timedOut = err instanceof Error && err.name === "TimeoutError";
      throw new StrataConnectionError(url, timedOut, { cause: err, timeoutMs: this.timeoutMs });
    }

    const accepted = response.ok || (spec.alsoAccept ?? []).includes(response.status);
    if (!accepted) {
      const problem = toProblem(response.status, response.statusText, text);
      throw new StrataError(problem, parseRetryAfter(response.headers.get("retry-after")));
    }
    if (response.status === 204 || text === "") return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new StrataError({
        type: "about:blank",
        title: "Invalid response",
        status: response.status,
        detail: `${spec.method} ${url} answered ${response.status} with a body that is not JSON (${response.headers.get("content-type") ?? "no content-type"}); is the base URL the Strata API?`,
        code: "invalid_response",
      });
    }
  }

  private url(path: string, query: RequestSpec["query"]): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) params.set(key, String(value));
    }
    const search = params.toString();
    return `${this.baseUrl}${path}${search ? `?${search}` : ""}`;
  }
}

/** Encodes one path segment, so an id can never add `/`, `?` or `..` to the path. */
export function segment(value: string): string {
  if (value === "" || value === "." || value === "..") {
    throw new TypeError(`'${value}' is not a valid path segment.`);
  }
  return encodeURIComponent(value);
}

function normalizeBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new TypeError(`baseUrl '${baseUrl}' is not a URL.`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`baseUrl '${baseUrl}' must be http or https.`);
  }
  if (url.search || url.hash) {
    throw new TypeError(`baseUrl '${baseUrl}' must not carry a query or fragment.`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}
