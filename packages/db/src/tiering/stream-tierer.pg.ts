import {
  configFromJson,
  decodeSegment,
  encodeSegment,
  newSegmentDir,
  type ObjectStore,
  type SegmentEntry,
  segmentKey,
  sha256Hex,
  type StreamId,
  streamTieringPolicy,
  type TieringDefaults,
  valueKey,
} from "@strata/core";
import type pg from "pg";
import { joinChunks } from "../streams/large-values.js";
import { sealRows, recordSegment, type SealedSegment } from "./segment-record.pg.js";

/** The points between the steps of sealing a segment, where failpoints can cut a run short. */
export const TIERING_STEPS = [
  "values_written",
  "segment_written",
  "verified",
  "recorded",
  "committed",
] as const;
export type TieringStep = (typeof TIERING_STEPS)[number];

/**
 * Failpoints: `at` runs at each step and may throw, as a crash there would
 * stop the run (`recorded` is inside the transaction, before the hot rows
 * are deleted, so throwing there rolls the record back).
 */
export interface TieringHooks {
  at?(step: TieringStep, segment: { streamId: StreamId; objectKey: string }): void | Promise<void>;
}

export interface TierOverrides {
  /** Tier messages older than this (still never inside the dedup window). */
  readonly olderThanSeconds?: number;
  readonly minMessages?: number;
}

export interface TierResult {
  readonly segments: number;
  readonly messages: number;
  /** Object bytes written (segments and large values). */
  readonly bytes: number;
}

/** Read-back of a freshly written object did not match what was written. */
export class TieringVerifyFailed extends Error {
  override name = "TieringVerifyFailed";
}

/**
 * Moves the oldest hot messages of a stream into segment objects. Per
 * segment: write its large values and the segment object, read them back
 * and verify them, then in one transaction record the segment and delete
 * the rows it replaces. A crash anywhere leaves the rows in place (the
 * written objects become orphans the sweep removes); a row is never deleted
 * without a verified object.
 */
export class StreamTiererPg {
  constructor(
    private readonly pool: pg.Pool,
    private readonly store: ObjectStore,
    private readonly defaults: TieringDefaults,
    private readonly hooks: TieringHooks = {},
  ) {}

  /** Streams whose oldest hot message is past their tiering age (their own or the default). */
  async candidates(): Promise<StreamId[]> {
    const { rows } = await this.pool.query<{
      id: string;
      config: Record<string, unknown>;
      age: number;
    }>(
      `select s.id, s.config, extract(epoch from now() - o.ts)::float8 as age
         from streams s
         join lateral (select ts from stream_messages m where m.stream_id = s.id
                        order by seq limit 1) o on true
        order by s.id`,
    );
    return rows
      .filter(
        (r) =>
          r.age > streamTieringPolicy(configFromJson(r.config), this.defaults).tierAfterSeconds,
      )
      .map((r) => Number(r.id) as StreamId);
  }

  async tierStream(streamId: StreamId, overrides: TierOverrides = {}): Promise<TierResult> {
    const { rows } = await this.pool.query<{ config: Record<string, unknown> }>(
      "select config from streams where id = $1",
      [streamId],
    );
    if (!rows[0]) return { segments: 0, messages: 0, bytes: 0 };
    const config = configFromJson(rows[0].config);
    const policy = streamTieringPolicy(
      { ...config, tierAfterSeconds: overrides.olderThanSeconds ?? config.tierAfterSeconds },
      this.defaults,
    );
    const minMessages = overrides.minMessages ?? policy.minMessages;
    let segments = 0;
    let messages = 0;
    let bytes = 0;
    for (;;) {
      const batch = await sealRows(this.pool, streamId, {
        olderThanSeconds: policy.tierAfterSeconds,
        minMessages,
        maxMessages: policy.segmentMessages,
        maxBytes: policy.segmentBytes,
      });
      if (!batch) break;
      const sealed = await this.seal(streamId, batch);
      const recorded = await recordSegment(this.pool, sealed, () =>
        this.hooks.at?.("recorded", { streamId, objectKey: sealed.objectKey }),
      );
      if (!recorded) break;
      await this.hooks.at?.("committed", { streamId, objectKey: sealed.objectKey });
      segments++;
      messages += sealed.entries.length;
      bytes += sealed.objectBytes + sealed.externalBytes;
    }
    return { segments, messages, bytes };
  }

  /** Writes and verifies the objects of one segment; nothing in Postgres changes. */
  private async seal(streamId: StreamId, rows: readonly SealRow[]): Promise<SealedSegment> {
    const dir = newSegmentDir(streamId, rows[0]!.seq);
    const entries: SegmentEntry[] = [];
    let externalBytes = 0;
    let valueBytes = 0;
    for (const r of rows) {
      valueBytes += r.value_size;
      const base = { seq: r.seq, ts: r.ts, headers: r.headers, msgId: r.msg_id };
      if (r.value !== null) {
        entries.push({ ...base, value: r.value, external: null });
        continue;
      }
      const value = await this.chunks(streamId, r);
      const key = valueKey(dir, r.seq);
      const sha256 = sha256Hex(value);
      await this.store.put(key, value);
      const back = await this.store.get(key);
      if (back.byteLength !== value.byteLength || sha256Hex(back) !== sha256)
        throw new TieringVerifyFailed(`large value ${key} did not read back intact`);
      externalBytes += value.byteLength;
      entries.push({ ...base, value: null, external: { key, size: value.byteLength, sha256 } });
    }
    const key = segmentKey(dir);
    await this.hooks.at?.("values_written", { streamId, objectKey: key });
    const object = encodeSegment(entries);
    const checksum = sha256Hex(object);
    await this.store.put(key, object);
    await this.hooks.at?.("segment_written", { streamId, objectKey: key });
    verify(key, entries, checksum, await this.store.get(key));
    await this.hooks.at?.("verified", { streamId, objectKey: key });
    return {
      streamId,
      objectKey: key,
      checksum,
      entries,
      objectBytes: object.byteLength,
      externalBytes,
      valueBytes,
    };
  }

  private async chunks(streamId: StreamId, r: SealRow): Promise<Buffer> {
    const { rows } = await this.pool.query<{ data: Buffer }>(
      "select data from stream_chunks where stream_id = $1 and seq = $2 order by chunk",
      [streamId, r.seq],
    );
    return joinChunks(
      rows.map((c) => c.data),
      r.value_size,
    );
  }
}

export interface SealRow {
  seq: number;
  ts: Date;
  headers: Record<string, string> | null;
  value: Buffer | null;
  value_size: number;
  msg_id: string | null;
}

/** The object read back must hash to what was written and decode to the same messages. */
function verify(
  key: string,
  entries: readonly SegmentEntry[],
  checksum: string,
  back: Uint8Array,
): void {
  if (sha256Hex(back) !== checksum)
    throw new TieringVerifyFailed(`segment ${key} did not read back intact`);
  const decoded = decodeSegment(back);
  const same =
    decoded.entries.length === entries.length &&
    decoded.entries.every((e, i) => {
      const w = entries[i]!;
      if (e.seq !== w.seq || e.ts.getTime() !== w.ts.getTime() || e.msgId !== w.msgId) return false;
      if (w.external) return e.external?.sha256 === w.external.sha256;
      return e.value !== null && Buffer.from(e.value).equals(w.value!);
    });
  if (!same) throw new TieringVerifyFailed(`segment ${key} decodes to different messages`);
}
