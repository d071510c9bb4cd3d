import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from "@nestjs/common";
import { StreamsService } from "@strata/core";
import { type Registry } from "prom-client";
import { RUNTIME, type Runtime } from "../config/runtime.js";
import { HttpMetrics } from "../metrics/http-metrics.js";

/** One second of this node's traffic; rates are per second over the sample interval. */
export interface ThroughputPoint {
  /** Epoch milliseconds at the end of the interval. */
  readonly t: number;
  readonly appends: number;
  readonly deliveries: number;
  readonly errors: number;
  readonly requests: number;
}

const INTERVAL_MS = 1000;
/** Five minutes of history at one point per second. */
const CAPACITY = 300;

interface Totals {
  appends: number;
  errors: number;
  requests: number;
  /** Per stream: live subscriptions and the sum of their positions. */
  subs: Map<number, { count: number; sum: number }>;
}

/**
 * Samples this node's Prometheus counters once a second into a ring buffer,
 * so the dashboard can draw live charts without a Prometheus server.
 * appends = stream messages committed; errors = 5xx answers plus failed
 * commits; deliveries = how far live subscribers moved (a stream whose
 * subscriber count changed within the second is left out of that second).
 */
@Injectable()
export class ThroughputSampler implements OnModuleInit, OnApplicationShutdown {
  private readonly points: ThroughputPoint[] = [];
  private last: Totals | undefined;
  private lastAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly registry: Registry;

  constructor(
    metrics: HttpMetrics,
    private readonly streams: StreamsService,
    @Inject(RUNTIME) private readonly runtime: Runtime,
  ) {
    this.registry = metrics.registry;
  }

  get nodeId(): string {
    return this.runtime.node.identity.id;
  }

  onModuleInit(): void {
    // The baseline, so the first second after start-up already has a rate.
    void this.sample().catch(() => {});
    this.timer = setInterval(() => void this.sample().catch(() => {}), INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Oldest first; at most the last `limit` points. */
  recent(limit = CAPACITY): ThroughputPoint[] {
    return this.points.slice(-limit);
  }

  async sample(now = Date.now()): Promise<void> {
    const totals = await this.totals();
    const prev = this.last;
    const seconds = (now - this.lastAt) / 1000;
    this.last = totals;
    this.lastAt = now;
    if (!prev || seconds <= 0) return;
    let delivered = 0;
    for (const [stream, s] of totals.subs) {
      const before = prev.subs.get(stream);
      if (before && before.count === s.count) delivered += Math.max(0, s.sum - before.sum);
    }
    const rate = (v: number) => Math.max(0, Math.round((v / seconds) * 10) / 10);
    this.points.push({
      t: now,
      appends: rate(totals.appends - prev.appends),
      deliveries: rate(delivered),
      errors: rate(totals.errors - prev.errors),
      requests: rate(totals.requests - prev.requests),
    });
    if (this.points.length > CAPACITY) this.points.splice(0, this.points.length - CAPACITY);
  }

  private async totals(): Promise<Totals> {
    const [commits, http] = await Promise.all([
      this.values("strata_stream_messages_committed_total"),
      this.values("strata_http_requests_total"),
    ]);
    const subs = new Map<number, { count: number; sum: number }>();
    for (const s of this.streams.subscriptions()) {
      const agg = subs.get(s.streamId) ?? { count: 0, sum: 0 };
      agg.count += 1;
      agg.sum += s.nextSeq;
      subs.set(s.streamId, agg);
    }
    const sum = (rows: Row[], keep: (r: Row) => boolean) =>
      rows.filter(keep).reduce((a, r) => a + r.value, 0);
    return {
      appends: sum(commits, (r) => r.labels.result === "ok"),
      errors:
        sum(commits, (r) => r.labels.result === "failed") +
        sum(http, (r) => Number(r.labels.status) >= 500),
      requests: sum(http, () => true),
      subs,
    };
  }

  private async values(name: string): Promise<Row[]> {
    const metric = this.registry.getSingleMetric(name);
    if (!metric) return [];
    return (await metric.get()).values as Row[];
  }
}

type Row = { labels: Record<string, string | number | undefined>; value: number };
