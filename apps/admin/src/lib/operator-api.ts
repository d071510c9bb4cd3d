import {
  type Problem,
  StrataAdminClient,
  type StrataAdminClientOptions,
  StrataConnectionError,
  StrataError,
} from "@strata/client";
import {
  type Alert,
  type Bucket,
  type ClusterNode,
  type DocRow,
  type DocView,
  type InventoryPage,
  type KvEntryView,
  type KvKey,
  type LagRow,
  type Placement,
  type Queue,
  type StreamDetail,
  type StreamMessage,
  type StreamRow,
  type TenantTraffic,
  type Throughput,
  type TierResult,
} from "./operator-types";

type Query = Readonly<Record<string, string | number | boolean | undefined>>;
const TIMEOUT_MS = 10_000;
const seg = encodeURIComponent;

/**
 * The operator API as the dashboard uses it: the SDK's tenant and key calls,
 * plus the cluster, data-browser and job endpoints (typed in operator-types).
 * Errors are the SDK's StrataError / StrataConnectionError.
 */
export class OperatorApi extends StrataAdminClient {
  private readonly token: string;

  constructor(options: StrataAdminClientOptions) {
    super(options);
    this.token = options.token;
  }

  nodes = () => this.call<{ items: ClusterNode[] }>("GET", "/v1/admin/nodes");
  drainNode = (id: string) => this.call("POST", `/v1/admin/nodes/${seg(id)}/drain`);
  placement = (q: { node?: string; tenant?: string; kind?: string; limit?: number }) =>
    this.call<{ items: Placement[]; next_after: string | null }>("GET", "/v1/admin/placement", q);
  streams = (q: { tenant?: string; limit?: number; after?: number } = {}) =>
    this.call<{ items: StreamRow[]; next_after: number | null; unreachable_nodes: string[] }>(
      "GET",
      "/v1/admin/streams",
      q,
    );
  stream = (tenant: string, name: string) =>
    this.call<StreamDetail>("GET", streamPath(tenant, name));
  messages = (tenant: string, name: string, q: { from_seq?: number; limit?: number }) =>
    this.call<{ messages: StreamMessage[]; next_seq: number }>(
      "GET",
      `${streamPath(tenant, name)}/messages`,
      q,
    );
  purgeStream = (tenant: string, name: string) =>
    this.call<{ purged: number }>("POST", `${streamPath(tenant, name)}/purge`);
  deleteStream = (tenant: string, name: string) =>
    this.call<void>("DELETE", streamPath(tenant, name));
  /** Everything outside the dedup window, however few messages, not the stream's policy. */
  tierStream = (tenant: string, name: string) =>
    this.call<TierResult>("POST", `${streamPath(tenant, name)}/tier`, undefined, {
      older_than_seconds: 0,
      min_messages: 1,
    });
  lag = (q: { min_lag?: number } = {}) =>
    this.call<{ items: LagRow[]; threshold?: number }>("GET", "/v1/admin/lag", q);
  alerts = (q: { open?: boolean; kind?: string; limit?: number } = {}) =>
    this.call<{ items: Alert[]; open: number }>("GET", "/v1/admin/alerts", q);
  acknowledgeAlert = (id: number) => this.call<Alert>("POST", `/v1/admin/alerts/${id}/acknowledge`);
  resolveAlert = (id: number) => this.call<Alert>("POST", `/v1/admin/alerts/${id}/resolve`);
  jobs = () => this.call<{ items: Queue[] }>("GET", "/v1/admin/jobs");
  retryJob = (queue: string, id: string) =>
    this.call("POST", `/v1/admin/jobs/${seg(queue)}/${seg(id)}/retry`);
  buckets = (q: { tenant?: string } = {}) =>
    this.call<{ items: Bucket[] }>("GET", "/v1/admin/kv", q);
  bucket = (tenant: string, name: string) =>
    this.call<Bucket>("GET", `/v1/admin/kv/${seg(tenant)}/${seg(name)}`);
  kvKeys = (
    tenant: string,
    bucket: string,
    q: { prefix?: string; after?: string; limit?: number },
  ) =>
    this.call<{ items: KvKey[]; next_after: string | null }>(
      "GET",
      `/v1/admin/kv/${seg(tenant)}/${seg(bucket)}/keys`,
      q,
    );
  kvEntry = (tenant: string, bucket: string, key: string) =>
    this.call<KvEntryView>("GET", `/v1/admin/kv/${seg(tenant)}/${seg(bucket)}/entry`, { key });
  inventory = (q: { tenant?: string; limit?: number } = {}) =>
    this.call<InventoryPage>("GET", "/v1/admin/inventory", q);
  throughput = (q: { limit?: number } = {}) =>
    this.call<Throughput>("GET", "/v1/admin/throughput", q);
  tenantTraffic = (q: { limit?: number } = {}) =>
    this.call<TenantTraffic>("GET", "/v1/admin/tenants/traffic", q);
  /** 404 while the documents capability is not in this API. */
  docs = (q: { tenant?: string; limit?: number } = {}) =>
    this.call<{ items: DocRow[]; next_after?: string | null }>("GET", "/v1/admin/docs", q);
  /** One document's facts and content as JSON, read as its tenant. */
  doc = (tenant: string, id: string) =>
    this.call<DocView>("GET", `/v1/admin/docs/${seg(tenant)}/${seg(id)}`);

  /** A raw response, for streams (Server-Sent Events) the route handlers pass through. */
  async open(path: string, query: Query, signal: AbortSignal): Promise<Response> {
    return fetch(this.url(path, query), {
      headers: { authorization: `Bearer ${this.token}`, accept: "text/event-stream" },
      signal,
    });
  }

  private url(path: string, query: Query = {}): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query))
      if (v !== undefined && v !== "") params.set(k, String(v));
    const search = params.toString();
    return `${this.baseUrl}${path}${search ? `?${search}` : ""}`;
  }

  private async call<T = unknown>(
    method: string,
    path: string,
    query?: Query,
    body?: unknown,
  ): Promise<T> {
    const url = this.url(path, query);
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          accept: "application/json, application/problem+json",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
        cache: "no-store",
      });
      text = await res.text();
    } catch (err) {
      const timedOut = err instanceof Error && err.name === "TimeoutError";
      throw new StrataConnectionError(url, timedOut, { cause: err, timeoutMs: TIMEOUT_MS });
    }
    if (!res.ok) throw new StrataError(problem(res, text));
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

function streamPath(tenant: string, name: string): string {
  return `/v1/admin/streams/${seg(tenant)}/${seg(name)}`;
}

function problem(res: Response, text: string): Problem {
  try {
    const body = JSON.parse(text) as Partial<Problem>;
    if (typeof body.code === "string" && typeof body.title === "string") {
      return { type: "about:blank", detail: "", ...body, status: res.status } as Problem;
    }
  } catch {
    // not a problem body: described below
  }
  return {
    type: "about:blank",
    title: res.statusText || `HTTP ${res.status}`,
    status: res.status,
    detail: text.slice(0, 300),
    code: `http_${res.status}`,
  };
}
