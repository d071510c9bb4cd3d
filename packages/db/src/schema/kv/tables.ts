import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  check,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { type KvOp } from "@strata/core";
import { tenants } from "../tenants/tables.js";
import { bytea } from "../streams/tables.js";

/** Keys compare bytewise (C collation): listing order is stable and prefix scans use the index. */
const kvKey = customType<{ data: string }>({ dataType: () => 'text collate "C"' });

export const kvBuckets = pgTable(
  "kv_buckets",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    name: text().notNull(),
    /** `standard`: revisions and CAS; `crdt`: one Automerge document, writes merge. */
    mode: text().$type<"standard" | "crdt">().notNull().default("standard"),
    config: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    /** `crdt` buckets: the automerge-repo document id of the Automerge document holding the keys. */
    documentId: text(),
    lastRevision: bigint({ mode: "number" }).notNull().default(0),
    /** Highest revision whose history may have been pruned: watches must start after it. */
    compactedRevision: bigint({ mode: "number" }).notNull().default(0),
    keys: bigint({ mode: "number" }).notNull().default(0),
    bytes: bigint({ mode: "number" }).notNull().default(0),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("kv_buckets_tenant_name_idx").on(t.tenantId, t.name),
    check("kv_buckets_mode_check", sql`${t.mode} in ('standard', 'crdt')`),
  ],
);

/**
 * The newest change of every key: a live value (`put`) or a tombstone
 * (`delete`/`expire`, no value) that keeps the change visible to watches.
 * With the default `history` of 1 this is all a bucket stores, so a put is
 * one upsert; older revisions kept by `history` move to `kv_events`.
 */
export const kvEntries = pgTable(
  "kv_entries",
  {
    bucketId: bigint({ mode: "number" })
      .notNull()
      .references(() => kvBuckets.id, { onDelete: "cascade" }),
    key: kvKey().notNull(),
    revision: bigint({ mode: "number" }).notNull(),
    /** Revision that created the key (etcd's create_revision). */
    createRevision: bigint({ mode: "number" }).notNull(),
    op: text().$type<KvOp>().notNull().default("put"),
    /** Null for tombstones. */
    value: bytea(),
    expiresAt: timestamp({ withTimezone: true }),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /**
     * What the last write of this row replaced (null after an insert): the
     * upsert returns them, so the bucket counters and compaction floor move
     * without reading the old rows first (PostgreSQL 15 has no OLD in RETURNING).
     */
    replacedRevision: bigint({ mode: "number" }),
    replacedOp: text().$type<KvOp>(),
    replacedBytes: integer(),
  },
  (t) => [
    primaryKey({ columns: [t.bucketId, t.key] }),
    index("kv_entries_revision_key_idx").on(t.bucketId, t.revision, t.key),
    index("kv_entries_expiry_idx")
      .on(t.bucketId, t.expiresAt)
      .where(sql`${t.expiresAt} is not null`),
    check("kv_entries_op_check", sql`${t.op} in ('put', 'delete', 'expire')`),
  ],
);

/**
 * Older revisions: the changes `kv_entries` no longer holds because a newer
 * change of the key replaced them, kept while `history` allows (a key keeps
 * its newest `history` changes across both tables). One row per changed key
 * per revision (a transaction writes several rows with one revision).
 * Watches and per-key history read both tables; pruning raises the bucket's
 * `compacted_revision`.
 */
export const kvEvents = pgTable(
  "kv_events",
  {
    bucketId: bigint({ mode: "number" })
      .notNull()
      .references(() => kvBuckets.id, { onDelete: "cascade" }),
    revision: bigint({ mode: "number" }).notNull(),
    key: kvKey().notNull(),
    op: text().$type<KvOp>().notNull(),
    /** The new value (`put` only). */
    value: bytea(),
    expiresAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.bucketId, t.revision, t.key] }),
    index("kv_events_key_revision_idx").on(t.bucketId, t.key, t.revision),
    check("kv_events_op_check", sql`${t.op} in ('put', 'delete', 'expire')`),
  ],
);
