import { sql } from "drizzle-orm";
import { bigint, check, index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

export const NODE_STATUSES = ["alive", "suspect", "dead", "draining"] as const;
export type NodeStatus = (typeof NODE_STATUSES)[number];

/** One row per node incarnation; the row is its node lease (DESIGN §7). */
export const nodes = pgTable(
  "nodes",
  {
    /** Includes a fresh incarnation id per process start. */
    id: text().primaryKey(),
    /** Internal address other nodes forward to. */
    address: text().notNull(),
    version: text().notNull(),
    roles: text().array().notNull(),
    status: text().$type<NodeStatus>().notNull().default("alive"),
    startedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    heartbeatAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /** Decided by the database clock only. */
    leaseExpiresAt: timestamp({ withTimezone: true }).notNull(),
    load: jsonb().$type<Record<string, number>>().notNull().default({}),
  },
  (t) => [
    check("nodes_status_check", sql`${t.status} in ('alive', 'suspect', 'dead', 'draining')`),
    index("nodes_status_idx").on(t.status, t.leaseExpiresAt),
  ],
);

/** Placement: which node incarnation owns a resource, with a fencing epoch. Never renewed per resource. */
export const leases = pgTable(
  "leases",
  {
    /** `stream:<id>`, `bucket:<id>`, `doc:<id>`. */
    resource: text().primaryKey(),
    kind: text().$type<"stream" | "bucket" | "doc">().notNull(),
    tenantId: uuid(),
    /** Null once released by a draining owner. */
    nodeId: text().references(() => nodes.id, { onDelete: "set null" }),
    epoch: bigint({ mode: "number" }).notNull().default(1),
    acquiredAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("leases_node_idx").on(t.nodeId),
    index("leases_tenant_kind_idx").on(t.tenantId, t.kind),
  ],
);
