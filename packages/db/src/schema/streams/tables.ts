import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  customType,
} from "drizzle-orm/pg-core";
import { tenants } from "../tenants/tables.js";

/** `bytea` as a Node Buffer, both ways. */
export const bytea = customType<{ data: Buffer; driverData: Buffer }>({
  dataType: () => "bytea",
});

export const streams = pgTable(
  "streams",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    name: text().notNull(),
    /** Limits, discard policy, dedup window, default ack level (validated in core). */
    config: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    /** Lowest seq still stored (either tier); firstSeq > lastSeq means empty. */
    firstSeq: bigint({ mode: "number" }).notNull().default(1),
    lastSeq: bigint({ mode: "number" }).notNull().default(0),
    messages: bigint({ mode: "number" }).notNull().default(0),
    bytes: bigint({ mode: "number" }).notNull().default(0),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("streams_tenant_name_idx").on(t.tenantId, t.name)],
);

export const streamMessages = pgTable(
  "stream_messages",
  {
    streamId: bigint({ mode: "number" })
      .notNull()
      .references(() => streams.id, { onDelete: "cascade" }),
    seq: bigint({ mode: "number" }).notNull(),
    ts: timestamp({ withTimezone: true }).notNull(),
    headers: jsonb().$type<Record<string, string>>(),
    /** Inline value; null when the value lives elsewhere (`valueRef`). */
    value: bytea(),
    /** Where a large value lives: chunk rows or an object-store key. */
    valueRef: text(),
    valueSize: integer().notNull(),
    msgId: text(),
  },
  (t) => [
    // Belt and braces (DESIGN §7): a duplicate seq cannot land even if fencing had a bug.
    primaryKey({ columns: [t.streamId, t.seq] }),
    // Finds the msg ids of the dedup window when an owner loads a stream. Not unique:
    // an id may be reused once its window has passed; the owner enforces the window.
    index("stream_messages_msg_id_idx")
      .on(t.streamId, t.msgId)
      .where(sql`${t.msgId} is not null`),
  ],
);

export const streamConsumers = pgTable(
  "stream_consumers",
  {
    streamId: bigint({ mode: "number" })
      .notNull()
      .references(() => streams.id, { onDelete: "cascade" }),
    name: text().notNull(),
    ackedSeq: bigint({ mode: "number" }).notNull().default(0),
    config: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.streamId, t.name] })],
);

/** Pieces of values too large for one row (`valueRef` = `chunks:<count>`), in order. */
export const streamChunks = pgTable(
  "stream_chunks",
  {
    streamId: bigint({ mode: "number" })
      .notNull()
      .references(() => streams.id, { onDelete: "cascade" }),
    seq: bigint({ mode: "number" }).notNull(),
    chunk: integer().notNull(),
    data: bytea().notNull(),
  },
  (t) => [primaryKey({ columns: [t.streamId, t.seq, t.chunk] })],
);

/** Sealed ranges moved to the object store (the manifest of the cold tier). */
export const streamSegments = pgTable(
  "stream_segments",
  {
    streamId: bigint({ mode: "number" })
      .notNull()
      .references(() => streams.id, { onDelete: "cascade" }),
    firstSeq: bigint({ mode: "number" }).notNull(),
    lastSeq: bigint({ mode: "number" }).notNull(),
    messages: bigint({ mode: "number" }).notNull(),
    /** Bytes of the object as stored (compressed). */
    bytes: bigint({ mode: "number" }).notNull(),
    objectKey: text().notNull(),
    /** SHA-256 of the object, hex. */
    checksum: text().notNull(),
    formatVersion: integer().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /** Sum of the live messages' value sizes (what counts against `max_bytes`). */
    valueBytes: bigint({ mode: "number" }).notNull().default(0),
    /** Bytes of the segment's separate large-value objects. */
    externalBytes: bigint({ mode: "number" }).notNull().default(0),
    /** Timestamp of its newest message (age retention drops whole segments). */
    lastTs: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /** Seqs inside [firstSeq, lastSeq] deleted after sealing (the object is immutable). */
    removed: bigint({ mode: "number" })
      .array()
      .notNull()
      .default(sql`'{}'::bigint[]`),
  },
  (t) => [
    primaryKey({ columns: [t.streamId, t.firstSeq] }),
    index("stream_segments_last_seq_idx").on(t.streamId, t.lastSeq),
  ],
);
