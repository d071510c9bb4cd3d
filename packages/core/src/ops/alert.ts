export const ALERT_KINDS = [
  "split_brain",
  "node_down",
  "fenced_write",
  "lag",
  "job_failed",
  "tier_corrupt",
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export interface Alert {
  readonly id: number;
  readonly kind: AlertKind;
  /** What it is about: `node:<name>`, `stream:<id>`, a queue name. */
  readonly resource: string;
  readonly tenantId: string | null;
  readonly message: string;
  readonly details: Record<string, unknown>;
  readonly firstSeenAt: Date;
  readonly lastSeenAt: Date;
  readonly count: number;
  readonly acknowledgedAt: Date | null;
  readonly acknowledgedBy: string | null;
  readonly resolvedAt: Date | null;
}

export interface NewAlert {
  readonly kind: AlertKind;
  readonly resource: string;
  readonly tenantId?: string | null;
  readonly message: string;
  readonly details?: Record<string, unknown>;
}

/**
 * Operator alerts. At most one open alert per (kind, resource): raising it
 * again bumps its count and last-seen time and refreshes its details.
 */
export interface AlertStore {
  raise(alert: NewAlert): Promise<void>;
  /** Resolves the open alert of this kind on this resource, if any (the condition cleared). */
  resolveOpen(kind: AlertKind, resource: string): Promise<boolean>;
  list(filter: { open?: boolean; kind?: AlertKind; limit: number }): Promise<Alert[]>;
  acknowledge(id: number, by: string): Promise<Alert | null>;
  resolve(id: number): Promise<Alert | null>;
}
