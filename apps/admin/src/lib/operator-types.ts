/** Wire shapes of the operator API beyond tenants (nodes, placement, streams, KV, alerts, jobs). */

export type NodeStatus = "alive" | "suspect" | "draining" | "dead";
export type ResourceKind = "stream" | "bucket" | "doc";

export interface ClusterNode {
  readonly id: string;
  readonly name: string;
  readonly address: string;
  readonly version: string;
  readonly roles: readonly string[];
  readonly status: NodeStatus | string;
  readonly started_at: string;
  readonly heartbeat_at: string;
  readonly heartbeat_age_ms: number;
  readonly lease_expires_at: string;
  readonly owned: { readonly stream: number; readonly bucket: number; readonly doc: number };
}

export interface Placement {
  readonly resource: string;
  readonly kind: ResourceKind;
  readonly tenant: { readonly id: string; readonly name: string | null } | null;
  readonly name: string | null;
  readonly node_id: string | null;
  readonly node_status: string | null;
  readonly epoch: number;
  readonly acquired_at: string;
  readonly lease_expires_at: string | null;
}

/** Hot rows in PostgreSQL and cold segments in the object store (absent before tiering). */
export interface StreamTiers {
  readonly hot: { readonly messages: number; readonly bytes: number };
  readonly cold: {
    readonly segments: number;
    readonly messages: number;
    readonly bytes?: number;
    readonly object_bytes: number;
  };
}

export interface StreamRow {
  readonly id: number;
  readonly tenant: { readonly id: string; readonly name: string };
  readonly name: string;
  readonly owner: { readonly node_id: string; readonly epoch: number } | null;
  readonly head: number;
  /** Absent on an API older than the dashboard. */
  readonly messages?: number;
  readonly bytes?: number;
  readonly tiers?: StreamTiers;
  readonly consumers: readonly { name: string; acked_seq: number; lag: number }[];
  readonly subscribers: readonly {
    node_id: string;
    state: string;
    position: number;
    lag: number;
  }[];
  readonly max_lag: number;
}

export interface StreamConfigJson {
  readonly [field: string]: string | number | null;
}

export interface StreamDetail {
  readonly tenant: { readonly id: string; readonly name: string };
  readonly name: string;
  readonly config: StreamConfigJson;
  readonly first_seq: number;
  readonly last_seq: number;
  readonly messages: number;
  readonly bytes: number;
  readonly created_at: string;
  readonly updated_at: string;
  readonly owner: { readonly node_id: string | null; readonly epoch: number } | null;
  readonly consumers: readonly {
    name: string;
    acked_seq: number;
    head?: number;
    lag?: number;
    updated_at: string;
  }[];
  readonly tiers?: StreamTiers;
}

export interface StreamMessage {
  readonly seq: number;
  readonly ts: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly msg_id: string | null;
  readonly value_base64: string;
}

export interface LagRow {
  readonly tenant: { readonly id: string; readonly name: string };
  readonly stream: string;
  readonly consumer: string;
  readonly acked_seq: number;
  readonly head: number;
  readonly lag: number;
}

export interface Alert {
  readonly id: number;
  readonly kind: string;
  readonly resource: string;
  readonly tenant_id: string | null;
  readonly message: string;
  readonly details: Readonly<Record<string, unknown>>;
  readonly first_seen_at: string;
  readonly last_seen_at: string;
  readonly count: number;
  readonly acknowledged_at: string | null;
  readonly acknowledged_by: string | null;
  readonly resolved_at: string | null;
}

export interface Queue {
  readonly name: string;
  readonly waiting: number;
  readonly active: number;
  readonly failed: number;
  readonly completed: number;
  readonly every_ms: number | null;
  readonly recent_failures: readonly { id: string; error: string; at: string }[];
}

export interface Bucket {
  readonly tenant: { readonly id: string; readonly name: string };
  readonly name: string;
  readonly mode: string;
  readonly history: number;
  readonly ttl_seconds: number | null;
  readonly last_revision: number;
  readonly compacted_revision: number;
  readonly keys: number;
  readonly bytes: number;
  readonly owner?: { readonly node_id: string | null; readonly epoch: number } | null;
  readonly [field: string]: unknown;
}

export interface KvKey {
  readonly key: string;
  readonly revision: number;
  readonly create_revision: number;
  readonly expires_at: string | null;
}

export interface KvChange {
  readonly revision: number;
  readonly key: string;
  readonly op: string;
  readonly value_base64: string | null;
  readonly expires_at: string | null;
}

export interface KvEntryView {
  readonly key: string;
  readonly entry: (KvKey & { readonly value_base64: string }) | null;
  readonly history: readonly KvChange[];
}

export interface Inventory {
  readonly tenant: { readonly id: string; readonly name: string; readonly status: string };
  readonly streams: number;
  readonly messages: number;
  readonly stream_bytes: number;
  readonly buckets: number;
  readonly keys: number;
  readonly kv_bytes: number;
  readonly docs: number;
  readonly doc_bytes: number;
  readonly tiered_bytes: number;
  readonly bytes: number;
}

export interface InventoryPage {
  readonly items: readonly Inventory[];
  readonly totals: {
    readonly streams: number;
    readonly messages: number;
    readonly buckets: number;
    readonly keys: number;
    readonly docs: number;
    readonly hot_bytes: number;
    readonly tiered_bytes: number;
  };
}

export interface ThroughputPoint {
  readonly t: number;
  readonly appends: number;
  readonly deliveries: number;
  readonly errors: number;
  readonly requests: number;
}

export interface Throughput {
  readonly nodes: readonly { node_id: string; points: readonly ThroughputPoint[] }[];
  readonly total: readonly ThroughputPoint[];
  readonly unreachable_nodes: readonly string[];
}

/** A document as `GET /v1/admin/docs` lists it; every field optional, the capability is newer. */
export interface DocRow {
  readonly id?: number | string;
  readonly document_id?: string;
  readonly url?: string;
  readonly tenant?: string | { readonly id: string; readonly name: string };
  readonly tenant_id?: string;
  readonly heads?: readonly string[];
  readonly bytes?: number;
  /** Change rows not yet folded into a snapshot, and their bytes. */
  readonly changes?: number;
  readonly change_bytes?: number;
  readonly snapshots?: number;
  readonly snapshot_bytes?: number;
  readonly tier?: string;
  /** Where the snapshot lives (`hot` in PostgreSQL, or the object store), once tiering reports it. */
  readonly snapshot_tier?: string | null;
  readonly owner?: { readonly node_id: string; readonly epoch: number } | null;
  readonly updated_at?: string;
}

/** One document as its tenant reads it (`GET /v1/admin/docs/{tenant}/{id}`). */
export interface DocView {
  readonly tenant: { readonly id: string; readonly name: string };
  readonly document_id: string;
  readonly url: string;
  readonly heads: readonly string[];
  readonly changes: number;
  readonly change_bytes: number;
  readonly bytes: number;
  readonly created_at: string;
  readonly updated_at: string;
  readonly content: unknown;
}

/** Operations by kind and the payload bytes they carried (`GET /v1/admin/tenants/traffic`). */
export interface TrafficCounts {
  readonly messages_appended: number;
  readonly kv_writes: number;
  readonly doc_changes: number;
  readonly bytes_written: number;
}

export interface TenantTrafficRow {
  readonly tenant: { readonly id: string; readonly name: string };
  /** Over the last `window_seconds`, summed over the nodes. */
  readonly recent: TrafficCounts;
  /** Since each node started. */
  readonly totals: TrafficCounts;
  readonly ops_per_second: number;
  readonly bytes_per_second: number;
}

export interface TenantTraffic {
  readonly window_seconds: number;
  /** Busiest first. */
  readonly items: readonly TenantTrafficRow[];
  readonly nodes: readonly string[];
  readonly unreachable_nodes: readonly string[];
}

/** What `POST /v1/admin/streams/{tenant}/{name}/tier` moved to the object store. */
export interface TierResult {
  readonly segments: number;
  readonly messages: number;
  readonly object_bytes: number;
  readonly orphans_deleted: number;
}
