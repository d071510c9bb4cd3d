import { Inject, Injectable } from "@nestjs/common";
import { type Pool } from "@strata/db";
import { PG_POOL } from "../config/runtime.js";

export interface TenantInventory {
  readonly tenantId: string;
  readonly tenantName: string;
  readonly status: string;
  readonly streams: number;
  readonly messages: number;
  readonly streamBytes: number;
  readonly buckets: number;
  readonly keys: number;
  readonly kvBytes: number;
  readonly docs: number;
  readonly docBytes: number;
  /** Bytes of sealed stream segments moved to the object store. */
  readonly tieredBytes: number;
}

const n = (v: unknown) => Number(v ?? 0);

export interface StreamCounters {
  readonly messages: number;
  /** Bytes of the hot messages' values. */
  readonly bytes: number;
  readonly hotMessages: number;
  /** Sealed segments in the object store, their messages and their stored bytes. */
  readonly coldSegments: number;
  readonly coldMessages: number;
  readonly coldBytes: number;
  /** `lastSeq + 1` when the stream is empty. */
  readonly firstSeq: number;
  readonly lastSeq: number;
}

/**
 * Read model for the operator's inventory: what each tenant stores. KV and
 * documents come from the counters their owners keep on `kv_buckets` and
 * `docs`; streams keep none there, so their hot messages are counted from
 * `stream_messages` (an index range per stream: fine for a dashboard, not for
 * a hot path). Every figure is grouped by tenant.
 */
@Injectable()
export class AdminInventoryPg {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** Tenants by bytes stored, largest first; one tenant with `tenantId`. */
  async byTenant(filter: { tenantId?: string; limit: number }): Promise<TenantInventory[]> {
    const { rows } = await this.pool.query(
      `select t.id, t.name, t.status, c.streams, s.messages, s.bytes as stream_bytes,
              b.buckets, b.keys, b.bytes as kv_bytes, d.docs, d.bytes as doc_bytes, g.bytes as tiered_bytes
         from tenants t
         cross join lateral (select count(*) as streams from streams where tenant_id = t.id) c
         cross join lateral (select count(*) as messages, sum(m.value_size) as bytes
                               from stream_messages m join streams x on x.id = m.stream_id
                              where x.tenant_id = t.id) s
         cross join lateral (select count(*) as buckets, sum(keys) as keys, sum(bytes) as bytes
                               from kv_buckets where tenant_id = t.id) b
         cross join lateral (select count(*) as docs, sum(bytes) as bytes
                               from docs where tenant_id = t.id) d
         cross join lateral (select sum(g.bytes) as bytes from stream_segments g
                               join streams x on x.id = g.stream_id where x.tenant_id = t.id) g
        where ($1::uuid is null or t.id = $1)
        order by coalesce(s.bytes, 0) + coalesce(b.bytes, 0) + coalesce(d.bytes, 0) desc,
                 coalesce(s.messages, 0) desc, t.name
        limit $2`,
      [filter.tenantId ?? null, filter.limit],
    );
    return rows.map((r) => ({
      tenantId: r.id,
      tenantName: r.name,
      status: r.status,
      streams: n(r.streams),
      messages: n(r.messages),
      streamBytes: n(r.stream_bytes),
      buckets: n(r.buckets),
      keys: n(r.keys),
      kvBytes: n(r.kv_bytes),
      docs: n(r.docs),
      docBytes: n(r.doc_bytes),
      tieredBytes: n(r.tiered_bytes),
    }));
  }

  /**
   * Committed counters of the given streams, by stream id: messages (hot and
   * tiered), hot bytes and the seq range. The `streams` row alone lags behind
   * its owner, and only the owner node holds live counters in memory.
   */
  async streamCounters(ids: readonly number[]): Promise<Map<number, StreamCounters>> {
    if (ids.length === 0) return new Map();
    const { rows } = await this.pool.query(
      `select s.id, h.messages + coalesce(g.messages, 0) as messages, h.bytes,
              h.messages as hot_messages, g.segments, g.messages as cold_messages, g.bytes as cold_bytes,
              coalesce(least(h.first_seq, g.first_seq), h.first_seq, g.first_seq) as first_seq,
              greatest(s.last_seq, coalesce(h.last_seq, 0), coalesce(g.last_seq, 0)) as last_seq
         from streams s
         cross join lateral (select count(*) as messages, coalesce(sum(value_size), 0) as bytes,
                                    min(seq) as first_seq, max(seq) as last_seq
                               from stream_messages where stream_id = s.id) h
         cross join lateral (select count(*) as segments, sum(messages) as messages,
                                    sum(bytes) as bytes, min(first_seq) as first_seq,
                                    max(last_seq) as last_seq
                               from stream_segments where stream_id = s.id) g
        where s.id = any($1::bigint[])`,
      [ids],
    );
    return new Map(
      rows.map((r) => {
        const lastSeq = n(r.last_seq);
        return [
          Number(r.id),
          {
            messages: n(r.messages),
            bytes: n(r.bytes),
            hotMessages: n(r.hot_messages),
            coldSegments: n(r.segments),
            coldMessages: n(r.cold_messages),
            coldBytes: n(r.cold_bytes),
            firstSeq: r.first_seq === null ? lastSeq + 1 : n(r.first_seq),
            lastSeq,
          },
        ];
      }),
    );
  }

  /** Names of the given tenants by id; a deleted tenant is absent. */
  async tenantNames(ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const { rows } = await this.pool.query<{ id: string; name: string }>(
      "select id, name from tenants where id = any($1::uuid[])",
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r.name]));
  }
}
