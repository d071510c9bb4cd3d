import { configFromJson, planColdRetention, type StreamId } from "@strata/core";
import type pg from "pg";

export interface RetentionTarget {
  readonly id: StreamId;
  readonly tenantId: string;
  readonly name: string;
}

/**
 * Limits (`max_age`, `max_messages`, `max_bytes`) across both tiers: how far
 * a stream must be deleted, as a seq for the owner's `deleteUpTo`. Cold
 * segments go whole and only when all of a segment is past a limit
 * (`planColdRetention`); the hot tier is cut per message, as the owner's
 * own trims do, and only once no segment is left before it.
 */
export class StreamRetentionPg {
  constructor(private readonly pool: pg.Pool) {}

  /** Streams with any retention limit. */
  async targets(): Promise<RetentionTarget[]> {
    const { rows } = await this.pool.query<{ id: string; tenant_id: string; name: string }>(
      `select id, tenant_id, name from streams
        where config->>'max_age_seconds' is not null or config->>'max_messages' is not null
           or config->>'max_bytes' is not null
        order by id`,
    );
    return rows.map((r) => ({ id: Number(r.id) as StreamId, tenantId: r.tenant_id, name: r.name }));
  }

  /**
   * The highest seq retention removes now (0: nothing). Each query reads at
   * most about a limit's worth of rows (the newest `max_messages`, the
   * newest `max_bytes`, or the expired ones), never the whole stream.
   */
  async cutoff(streamId: StreamId): Promise<number> {
    const { rows: head } = await this.pool.query<{ config: Record<string, unknown>; now: Date }>(
      "select config, now() as now from streams where id = $1",
      [streamId],
    );
    if (!head[0]) return 0;
    const config = configFromJson(head[0].config);
    const { rows: segRows } = await this.pool.query<{
      first_seq: string;
      last_seq: string;
      messages: string;
      value_bytes: string;
      last_ts: Date;
    }>(
      `select first_seq, last_seq, messages, value_bytes, last_ts from stream_segments
        where stream_id = $1 order by first_seq`,
      [streamId],
    );
    const segments = segRows.map((r) => ({
      firstSeq: Number(r.first_seq),
      lastSeq: Number(r.last_seq),
      messages: Number(r.messages),
      valueBytes: Number(r.value_bytes),
      lastTs: r.last_ts,
    }));
    // `discard: new` keeps what it has and refuses more; only age applies to it.
    const old = config.discard === "old";
    const byCount = old && config.maxMessages !== null ? config.maxMessages : null;
    const byBytes = old && config.maxBytes !== null ? config.maxBytes : null;
    const before =
      config.maxAgeSeconds !== null
        ? new Date(head[0].now.getTime() - config.maxAgeSeconds * 1000)
        : null;

    let hotCut = 0;
    let coldExcess = { messages: 0, bytes: 0 };
    if (byCount !== null) {
      const r = await this.overCount(streamId, byCount);
      hotCut = Math.max(hotCut, r.cut);
      coldExcess.messages = r.cut > 0 ? Infinity : r.hot + sum(segments, "messages") - byCount;
    }
    if (byBytes !== null) {
      const r = await this.overBytes(streamId, byBytes);
      hotCut = Math.max(hotCut, r.cut);
      coldExcess.bytes = r.cut > 0 ? Infinity : r.hot + sum(segments, "valueBytes") - byBytes;
    }
    if (before !== null) hotCut = Math.max(hotCut, await this.expired(streamId, before));
    // A hot row that goes takes every (older) segment with it.
    if (hotCut > 0) coldExcess = { messages: Infinity, bytes: Infinity };
    const cold = planColdRetention(segments, {
      messages: Math.max(0, coldExcess.messages),
      bytes: Math.max(0, coldExcess.bytes),
      before,
    });
    if (!cold.allSegments) return cold.upToSeq;
    return Math.max(cold.upToSeq, hotCut);
  }

  /** The newest hot row beyond the newest `max` (0: none), or how many hot rows there are. */
  private async overCount(id: StreamId, max: number): Promise<{ cut: number; hot: number }> {
    const { rows } = await this.pool.query<{ seq: string }>(
      "select seq from stream_messages where stream_id = $1 order by seq desc offset $2 limit 1",
      [id, max],
    );
    if (rows[0]) return { cut: Number(rows[0].seq), hot: max + 1 };
    const { rows: n } = await this.pool.query<{ n: number }>(
      "select count(*)::int as n from stream_messages where stream_id = $1",
      [id],
    );
    return { cut: 0, hot: n[0]!.n };
  }

  /** The newest hot row past the newest `max` bytes (0: none), or the hot tier's bytes. */
  private async overBytes(id: StreamId, max: number): Promise<{ cut: number; hot: number }> {
    const { rows } = await this.pool.query<{ seq: string; total: string }>(
      `select seq, total from (select seq, sum(value_size) over (order by seq desc) as total
                                 from stream_messages where stream_id = $1 order by seq desc) x
        where total > $2 limit 1`,
      [id, max],
    );
    if (rows[0]) return { cut: Number(rows[0].seq), hot: Number(rows[0].total) };
    const { rows: b } = await this.pool.query<{ b: string }>(
      "select coalesce(sum(value_size), 0) as b from stream_messages where stream_id = $1",
      [id],
    );
    return { cut: 0, hot: Number(b[0]!.b) };
  }

  /** The newest hot row older than `before`, found from the first younger one (0: none). */
  private async expired(id: StreamId, before: Date): Promise<number> {
    // Timestamps never decrease along seqs, so both scans stop after the rows that expired.
    const { rows } = await this.pool.query<{ seq: string }>(
      `select seq from stream_messages where stream_id = $1 and ts < $2
          and seq < coalesce((select seq from stream_messages where stream_id = $1 and ts >= $2
                               order by seq limit 1), 9223372036854775807)
        order by seq desc limit 1`,
      [id, before],
    );
    return rows[0] ? Number(rows[0].seq) : 0;
  }
}

function sum<K extends "messages" | "valueBytes">(
  segments: readonly { messages: number; valueBytes: number }[],
  key: K,
): number {
  return segments.reduce((n, s) => n + s[key], 0);
}
