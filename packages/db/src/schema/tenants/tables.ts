import { sql } from "drizzle-orm";
import { check, index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { type Scope, type TenantStatus } from "@strata/core";

export const tenants = pgTable(
  "tenants",
  {
    id: uuid().primaryKey().defaultRandom(),
    name: text().notNull().unique(),
    status: text().$type<TenantStatus>().notNull().default("active"),
    /** Per-tenant limits (msgs/s, bytes stored, connections); empty means the defaults. */
    quotas: jsonb().$type<Record<string, number>>().notNull().default({}),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check("tenants_status_check", sql`${t.status} in ('active', 'suspended')`)],
);

export const apiKeys = pgTable(
  "api_keys",
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    name: text().notNull(),
    /** Public, indexed part of `sk_<prefix>_<secret>`. */
    prefix: text().notNull().unique(),
    /** SHA-256 of the secret, hex. The secret itself is never stored. */
    secretHash: text().notNull(),
    scopes: text().array().$type<Scope[]>().notNull(),
    patterns: text()
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    expiresAt: timestamp({ withTimezone: true }),
    revokedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("api_keys_tenant_idx").on(t.tenantId, t.createdAt)],
);
