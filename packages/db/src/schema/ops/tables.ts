import { sql } from "drizzle-orm";
import {
  bigserial,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

export const ALERT_KINDS = [
  "split_brain",
  "node_down",
  "fenced_write",
  "lag",
  "job_failed",
  "tier_corrupt",
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export const alerts = pgTable(
  "alerts",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    kind: text().$type<AlertKind>().notNull(),
    /** What the alert is about (`node:<id>`, `stream:<id>`, a queue name). */
    resource: text().notNull(),
    tenantId: uuid(),
    message: text().notNull(),
    details: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    firstSeenAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    count: integer().notNull().default(1),
    acknowledgedAt: timestamp({ withTimezone: true }),
    acknowledgedBy: text(),
    resolvedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    // At most one open alert per (kind, resource): repeats bump `count`.
    uniqueIndex("alerts_open_idx")
      .on(t.kind, t.resource)
      .where(sql`${t.resolvedAt} is null`),
    index("alerts_last_seen_idx").on(t.lastSeenAt),
  ],
);

/** Operator actions. No foreign key to tenants: the record outlives what it describes. */
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    at: timestamp({ withTimezone: true }).notNull().defaultNow(),
    actor: text().notNull(),
    action: text().notNull(),
    tenantId: uuid(),
    target: text().notNull(),
    details: jsonb().$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index("audit_log_tenant_idx").on(t.tenantId, t.at), index("audit_log_at_idx").on(t.at)],
);
