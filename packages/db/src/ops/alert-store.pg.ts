import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { type Alert, type AlertKind, type AlertStore, type NewAlert } from "@strata/core";
import { type Database } from "../client.js";
import { alerts } from "../schema/ops/tables.js";

type Row = typeof alerts.$inferSelect;

export class AlertStorePg implements AlertStore {
  constructor(private readonly db: Database) {}

  async raise(a: NewAlert): Promise<void> {
    // The partial unique index on open alerts makes a repeat an update of the open one.
    await this.db
      .insert(alerts)
      .values({
        kind: a.kind,
        resource: a.resource,
        tenantId: a.tenantId ?? null,
        message: a.message,
        details: a.details ?? {},
      })
      .onConflictDoUpdate({
        target: [alerts.kind, alerts.resource],
        targetWhere: isNull(alerts.resolvedAt),
        set: {
          count: sql`${alerts.count} + 1`,
          lastSeenAt: sql`now()`,
          message: a.message,
          details: a.details ?? {},
        },
      });
  }

  async resolveOpen(kind: AlertKind, resource: string): Promise<boolean> {
    const rows = await this.db
      .update(alerts)
      .set({ resolvedAt: sql`now()` })
      .where(and(eq(alerts.kind, kind), eq(alerts.resource, resource), isNull(alerts.resolvedAt)))
      .returning({ id: alerts.id });
    return rows.length > 0;
  }

  async list(filter: { open?: boolean; kind?: AlertKind; limit: number }): Promise<Alert[]> {
    const rows = await this.db
      .select()
      .from(alerts)
      .where(
        and(
          filter.open === undefined
            ? undefined
            : filter.open
              ? isNull(alerts.resolvedAt)
              : sql`${alerts.resolvedAt} is not null`,
          filter.kind ? eq(alerts.kind, filter.kind) : undefined,
        ),
      )
      .orderBy(desc(alerts.lastSeenAt))
      .limit(filter.limit);
    return rows.map(toAlert);
  }

  async acknowledge(id: number, by: string): Promise<Alert | null> {
    const [row] = await this.db
      .update(alerts)
      .set({ acknowledgedAt: sql`coalesce(${alerts.acknowledgedAt}, now())`, acknowledgedBy: by })
      .where(eq(alerts.id, id))
      .returning();
    return row ? toAlert(row) : null;
  }

  async resolve(id: number): Promise<Alert | null> {
    const [row] = await this.db
      .update(alerts)
      .set({ resolvedAt: sql`coalesce(${alerts.resolvedAt}, now())` })
      .where(eq(alerts.id, id))
      .returning();
    return row ? toAlert(row) : null;
  }
}

function toAlert(r: Row): Alert {
  return { ...r, kind: r.kind as AlertKind };
}
