import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { tenants } from "../tenants/tables.js";
import { bytea } from "../streams/tables.js";

export const docs = pgTable(
  "docs",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    /** automerge-repo document id (bs58check of 16 bytes). */
    documentId: text().notNull(),
    /** Heads that are durable, hex change hashes. */
    heads: text()
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** Rows in doc_changes (not yet folded into a snapshot) and their bytes. */
    changes: bigint({ mode: "number" }).notNull().default(0),
    changeBytes: bigint({ mode: "number" }).notNull().default(0),
    /** Stored bytes: latest snapshot plus change rows. */
    bytes: bigint({ mode: "number" }).notNull().default(0),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("docs_tenant_document_idx").on(t.tenantId, t.documentId)],
);

export const docChanges = pgTable(
  "doc_changes",
  {
    docId: bigint({ mode: "number" })
      .notNull()
      .references(() => docs.id, { onDelete: "cascade" }),
    /** Automerge actor id, hex. */
    actor: text().notNull(),
    seq: integer().notNull(),
    hash: text().notNull(),
    deps: text().array().notNull(),
    bytes: bytea().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.docId, t.actor, t.seq] }),
    uniqueIndex("doc_changes_hash_idx").on(t.docId, t.hash),
  ],
);

export const docSnapshots = pgTable(
  "doc_snapshots",
  {
    docId: bigint({ mode: "number" })
      .notNull()
      .references(() => docs.id, { onDelete: "cascade" }),
    id: bigserial({ mode: "number" }).notNull(),
    heads: text().array().notNull(),
    /** `save()` output; null once moved to the object store (`objectKey`). */
    bytes: bytea(),
    objectKey: text(),
    size: bigint({ mode: "number" }).notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.docId, t.id] })],
);

/** Automerge sync state per (document, remote storage id), so reconnects are cheap. */
export const docSyncStates = pgTable(
  "doc_sync_states",
  {
    docId: bigint({ mode: "number" })
      .notNull()
      .references(() => docs.id, { onDelete: "cascade" }),
    peerStorageId: text().notNull(),
    state: bytea().notNull(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.docId, t.peerStorageId] })],
);
