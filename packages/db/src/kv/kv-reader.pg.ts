import {
  type BucketId,
  type KvEntry,
  type KvEvent,
  type KvEventPage,
  type KvOp,
  type KvReader,
  prefixUpperBound,
} from "@strata/core";
import type pg from "pg";
import { type EntryRow, KeyReadBatcher, toEntry } from "./kv-read-batcher.pg.js";

const LIVE = "op = 'put' and (expires_at is null or expires_at > now())";

/**
 * A key's changes: the newest in `kv_entries`, older ones kept by `history`
 * in `kv_events`. `where` is applied to both; each side is ordered and
 * limited on its own index before they are merged.
 */
const changes = (where: string, order: string, limit: string) =>
  `(select revision, key, op, value, expires_at from kv_entries where ${where} order by ${order} limit ${limit})
   union all
   (select revision, key, op, value, expires_at from kv_events where ${where} order by ${order} limit ${limit})`;

interface EventRow {
  revision: string;
  key: string;
  op: KvOp;
  value: Buffer | null;
  expires_at: Date | null;
}

/**
 * Committed KV state for readers on any node. Keys compare bytewise
 * (collation "C"), so prefix scans and keyset pages are index ranges on the
 * primary key; expired keys are filtered by the database clock even before
 * the purge removes them.
 */
export class KvReaderPg implements KvReader {
  private readonly gets: KeyReadBatcher<KvEntry>;

  constructor(private readonly pool: pg.Pool) {
    this.gets = new KeyReadBatcher<KvEntry>(async (bucketId, keys) => {
      const { rows } = await this.pool.query<EntryRow>({
        name: "kv_get_live",
        text: `select key, revision, create_revision, value, expires_at from kv_entries
                where bucket_id = $1 and key = any($2::text[]) and ${LIVE}`,
        values: [bucketId, keys],
      });
      return new Map(rows.map((r) => [r.key, toEntry(r)]));
    });
  }

  /** Gets issued together share one indexed select per bucket (see KeyReadBatcher). */
  async get(bucketId: BucketId, key: string): Promise<KvEntry | null> {
    return (await this.gets.read(bucketId, [key])).get(key) ?? null;
  }

  getMany(bucketId: BucketId, keys: readonly string[]): Promise<Map<string, KvEntry>> {
    return this.gets.read(bucketId, keys);
  }

  async getAt(bucketId: BucketId, key: string, revision: number): Promise<KvEvent | null> {
    const { rows } = await this.pool.query<EventRow>(
      `select * from (${changes("bucket_id = $1 and key = $2 and revision <= $3", "revision desc", "1")}) c
        order by revision desc limit 1`,
      [bucketId, key, revision],
    );
    return rows[0] ? toEvent(rows[0]) : null;
  }

  async history(
    bucketId: BucketId,
    key: string,
    page: { limit: number; beforeRevision?: number },
  ): Promise<KvEvent[]> {
    const { rows } = await this.pool.query<EventRow>(
      `select * from (${changes("bucket_id = $1 and key = $2 and revision < $3", "revision desc", "$4")}) c
        order by revision desc limit $4`,
      [bucketId, key, page.beforeRevision ?? Number.MAX_SAFE_INTEGER, page.limit],
    );
    return rows.map(toEvent);
  }

  async list(
    bucketId: BucketId,
    page: { prefix?: string; after?: string; limit: number; keysOnly?: boolean },
  ): Promise<KvEntry[]> {
    const params: unknown[] = [bucketId, page.limit];
    const after = page.after !== undefined ? `and key > $${params.push(page.after)}` : "";
    const range = prefixFilter(page.prefix, params);
    const value = page.keysOnly ? "null::bytea as value" : "value";
    const { rows } = await this.pool.query<EntryRow>(
      `select key, revision, create_revision, ${value}, expires_at from kv_entries
        where bucket_id = $1 and ${LIVE} ${after} ${range} order by key limit $2`,
      params,
    );
    return rows.map(toEntry);
  }

  async events(
    bucketId: BucketId,
    from: number,
    prefix: string | undefined,
    limit: number,
  ): Promise<KvEventPage | null> {
    const params: unknown[] = [bucketId, from, limit];
    const filter = prefixFilter(prefix, params);
    // One statement, one snapshot: the head is consistent with the changes read.
    const { rows } = await this.pool.query<
      { head: string; compacted: string } & { [K in keyof EventRow]: EventRow[K] | null }
    >(
      `select h.last_revision as head, h.compacted_revision as compacted,
              e.revision, e.key, e.op, e.value, e.expires_at
         from kv_buckets h
         left join lateral (
           select * from (${changes(`bucket_id = h.id and revision >= $2 ${filter}`, "revision, key", "$3")}) c
            order by revision, key limit $3) e on true
        where h.id = $1`,
      params,
    );
    const first = rows[0];
    if (!first) return null;
    const head = Number(first.head);
    const compactedRevision = Number(first.compacted);
    let events = rows.filter((r) => r.revision !== null).map((r) => toEvent(r as EventRow));
    let next = Math.max(from, head + 1);
    if (events.length === limit) {
      // A page ends on a whole revision: a transaction's changes are never split.
      const last = events[events.length - 1]!.revision;
      const cut = events.findIndex((e) => e.revision === last);
      if (cut > 0) {
        events = events.slice(0, cut);
        next = last;
      } else {
        events = await this.wholeRevision(bucketId, last, prefix);
        next = last + 1;
      }
    }
    return { events, next, head, compactedRevision };
  }

  private async wholeRevision(
    bucketId: BucketId,
    revision: number,
    prefix: string | undefined,
  ): Promise<KvEvent[]> {
    const params: unknown[] = [bucketId, revision];
    const where = `bucket_id = $1 and revision = $2 ${prefixFilter(prefix, params)}`;
    const { rows } = await this.pool.query<EventRow>(
      `select * from (${changes(where, "key", "all")}) c order by key`,
      params,
    );
    return rows.map(toEvent);
  }
}

/** `and key >= … and key < …` for a prefix, its bounds appended to `params`. */
function prefixFilter(prefix: string | undefined, params: unknown[]): string {
  if (!prefix) return "";
  let sql = `and key >= $${params.push(prefix)}`;
  const upper = prefixUpperBound(prefix);
  if (upper !== undefined) sql += ` and key < $${params.push(upper)}`;
  return sql;
}

function toEvent(r: EventRow): KvEvent {
  return {
    revision: Number(r.revision),
    key: r.key,
    op: r.op,
    value: r.value,
    expiresAt: r.expires_at,
  };
}
