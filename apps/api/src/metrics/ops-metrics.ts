import { Injectable } from "@nestjs/common";
import { ALERT_KINDS } from "@strata/core";
import { ClusterAdminPg } from "@strata/db";
import { Gauge } from "prom-client";
import { HttpMetrics } from "./http-metrics.js";

/** A scrape reads PostgreSQL at most this often per node (several scrapers, one query). */
const READ_EVERY_MS = 10_000;

interface Snapshot {
  readonly alerts: Record<string, number>;
  readonly maxLag: number;
}

/**
 * The cluster's operator signals as Prometheus gauges, so a scraper can alarm on
 * them without calling the operator API (in the AWS deployment the collector
 * beside each node publishes them to CloudWatch; infra/terraform/modules/observability).
 * The values are cluster-wide, read from PostgreSQL when /metrics is scraped:
 * every node reports the same numbers. A failed read never fails /metrics.
 */
@Injectable()
export class OpsMetrics {
  private last: { at: number; read: Promise<Snapshot> } | undefined;

  constructor(metrics: HttpMetrics, cluster: ClusterAdminPg) {
    const read = (): Promise<Snapshot> => {
      const now = Date.now();
      if (!this.last || now - this.last.at >= READ_EVERY_MS) {
        const next = Promise.all([cluster.openAlertCounts(), cluster.consumerLag(0, 1)]).then(
          ([alerts, lag]) => ({ alerts, maxLag: lag[0]?.lag ?? 0 }),
        );
        // A failed read is not cached: the next scrape tries again.
        next.catch(() => (this.last = undefined));
        this.last = { at: now, read: next };
      }
      return this.last.read;
    };

    new Gauge({
      name: "strata_alerts_open",
      help: "Open operator alerts by kind (GET /v1/admin/alerts), cluster-wide",
      labelNames: ["kind"] as const,
      registers: [metrics.registry],
      async collect() {
        this.reset();
        const s = await read().catch(() => undefined);
        if (s) for (const kind of ALERT_KINDS) this.set({ kind }, s.alerts[kind] ?? 0);
      },
    });
    new Gauge({
      name: "strata_consumer_lag_max_messages",
      help: "Messages the most-behind durable consumer is behind its stream's head (GET /v1/admin/lag)",
      registers: [metrics.registry],
      async collect() {
        // Unlabelled: a failed read keeps the previous value rather than reporting 0.
        const s = await read().catch(() => undefined);
        if (s) this.set(s.maxLag);
      },
    });
  }
}
