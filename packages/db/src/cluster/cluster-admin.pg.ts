import type pg from "pg";
import { nodeName } from "./placement.pg.js";

export interface NodeView {
  readonly id: string;
  readonly name: string;
  readonly address: string;
  readonly version: string;
  readonly roles: string[];
  readonly status: string;
  readonly startedAt: Date;
  readonly heartbeatAt: Date;
  readonly heartbeatAgeMs: number;
  readonly leaseExpiresAt: Date;
  readonly owned: { stream: number; bucket: number; doc: number };
}

export interface PlacementView {
  readonly resource: string;
  readonly kind: string;
  readonly tenantId: string | null;
  readonly tenantName: string | null;
  readonly name: string | null;
  readonly nodeId: string | null;
  readonly nodeStatus: string | null;
  readonly epoch: number;
  readonly acquiredAt: Date;
  readonly leaseExpiresAt: Date | null;
}

/** Read models for the operator API: nodes, placement, lag. Ages come from the database clock. */
export class ClusterAdminPg {
  constructor(private readonly pool: pg.Pool) {}

  async nodes(includeDeadForMs = 10 * 60_000): Promise<NodeView[]> {
    const { rows } = await this.pool.query(
      `select n.*, (extract(epoch from now() - n.heartbeat_at) * 1000)::bigint as age_ms,
              count(l.*) filter (where l.kind = 'stream') as streams,
              count(l.*) filter (where l.kind = 'bucket') as buckets,
              count(l.*) filter (where l.kind = 'doc') as docs
         from nodes n left join leases l on l.node_id = n.id
        where n.status <> 'dead' or n.heartbeat_at > now() - make_interval(secs => $1)
        group by n.id order by n.id`,
      [includeDeadForMs / 1000],
    );
    return rows.map((r) => ({
      id: r.id,
      name: nodeName(r.id),
      address: r.address,
      version: r.version,
      roles: r.roles,
      status: r.status,
      startedAt: r.started_at,
      heartbeatAt: r.heartbeat_at,
      heartbeatAgeMs: Number(r.age_ms),
      leaseExpiresAt: r.lease_expires_at,
      owned: { stream: Number(r.streams), bucket: Number(r.buckets), doc: Number(r.docs) },
    }));
  }

  async placement(filter: {
    node?: string;
    tenant?: string;
    kind?: string;
    after?: string;
    limit: number;
  }): Promise<PlacementView[]> {
    const { rows } = await this.pool.query(
      `select l.resource, l.kind, l.tenant_id, t.name as tenant_name, l.node_id, n.status as node_status,
              l.epoch, l.acquired_at, n.lease_expires_at,
              coalesce(s.name, b.name, d.document_id) as name
         from leases l
         left join nodes n on n.id = l.node_id
         left join tenants t on t.id = l.tenant_id
         -- CASE, not AND: a hash join may compute the key of every row, and a document's
         -- resource (doc:<tenant>/<id>) is no number.
         left join streams s
           on s.id = case when l.kind = 'stream' then split_part(l.resource, ':', 2)::bigint end
         left join kv_buckets b
           on b.id = case when l.kind = 'bucket' then split_part(l.resource, ':', 2)::bigint end
         left join docs d on l.kind = 'doc' and d.tenant_id = l.tenant_id
           and d.document_id = split_part(l.resource, '/', 2)
        where ($1::text is null or l.node_id = $1 or l.node_id like $1 || '-%')
          and ($2::text is null or l.tenant_id::text = $2 or t.name = $2)
          and ($3::text is null or l.kind = $3)
          and ($4::text is null or l.resource > $4)
        order by l.resource limit $5`,
      [
        filter.node ?? null,
        filter.tenant ?? null,
        filter.kind ?? null,
        filter.after ?? null,
        filter.limit,
      ],
    );
    return rows.map((r) => ({
      resource: r.resource,
      kind: r.kind,
      tenantId: r.tenant_id,
      tenantName: r.tenant_name,
      name: r.name,
      nodeId: r.node_id,
      nodeStatus: r.node_status,
      epoch: Number(r.epoch),
      acquiredAt: r.acquired_at,
      leaseExpiresAt: r.lease_expires_at,
    }));
  }

  /** Current owner and epoch of each resource. */
  async owners(
    resources: readonly string[],
  ): Promise<{ resource: string; nodeId: string | null; epoch: number }[]> {
    const { rows } = await this.pool.query(
      "select resource, node_id, epoch from leases where resource = any($1::text[]) order by resource",
      [resources],
    );
    return rows.map((r) => ({ resource: r.resource, nodeId: r.node_id, epoch: Number(r.epoch) }));
  }

  /** Streams across tenants with their head, owner and durable consumers (a page by stream id). */
  async streams(filter: { tenant?: string; afterId?: number; limit: number }) {
    const { rows } = await this.pool.query(
      `select s.id, s.tenant_id, t.name as tenant_name, s.name, l.node_id, l.epoch,
              greatest(s.last_seq, coalesce((select max(seq) from stream_messages m where m.stream_id = s.id), 0)) as head,
              coalesce((select json_agg(json_build_object('name', c.name, 'acked_seq', c.acked_seq) order by c.name)
                          from stream_consumers c where c.stream_id = s.id), '[]') as consumers
         from streams s
         join tenants t on t.id = s.tenant_id
         left join leases l on l.resource = 'stream:' || s.id
        where ($1::text is null or t.name = $1 or t.id::text = $1) and s.id > $2
        order by s.id limit $3`,
      [filter.tenant ?? null, filter.afterId ?? 0, filter.limit],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      tenantId: r.tenant_id as string,
      tenantName: r.tenant_name as string,
      name: r.name as string,
      owner: r.node_id ? { nodeId: r.node_id as string, epoch: Number(r.epoch) } : null,
      head: Number(r.head),
      consumers: (r.consumers as { name: string; acked_seq: number }[]).map((c) => ({
        name: c.name,
        ackedSeq: Number(c.acked_seq),
      })),
    }));
  }

  /** Durable consumers and how far behind the stream's head they are. */
  /** Open (unresolved) alerts by kind; kinds with none are absent. */
  async openAlertCounts(): Promise<Record<string, number>> {
    const { rows } = await this.pool.query<{ kind: string; n: number }>(
      "select kind, count(*)::int as n from alerts where resolved_at is null group by kind",
    );
    return Object.fromEntries(rows.map((r) => [r.kind, r.n]));
  }

  async consumerLag(minLag = 0, limit = 500) {
    const { rows } = await this.pool.query(
      `select s.id as stream_id, s.tenant_id, t.name as tenant_name, s.name as stream, c.name as consumer,
              c.acked_seq, h.head, greatest(h.head - c.acked_seq, 0) as lag
         from stream_consumers c
         join streams s on s.id = c.stream_id
         join tenants t on t.id = s.tenant_id
         cross join lateral (select greatest(s.last_seq, coalesce(max(m.seq), 0)) as head
                               from stream_messages m where m.stream_id = s.id) h
        where greatest(h.head - c.acked_seq, 0) >= $1
        order by lag desc limit $2`,
      [minLag, limit],
    );
    return rows.map((r) => ({
      streamId: Number(r.stream_id),
      tenantId: r.tenant_id as string,
      tenantName: r.tenant_name as string,
      stream: r.stream as string,
      consumer: r.consumer as string,
      ackedSeq: Number(r.acked_seq),
      head: Number(r.head),
      lag: Number(r.lag),
    }));
  }
}
