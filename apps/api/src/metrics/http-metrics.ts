import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

/** One registry per app instance, so tests that build several apps do not collide. */
export class HttpMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: "strata_http_requests_total",
    help: "HTTP requests served, by method, route pattern and status",
    labelNames: ["method", "route", "status"] as const,
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: "strata_http_request_duration_seconds",
    help: "HTTP request duration, by method and route pattern",
    labelNames: ["method", "route"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "strata_" });
  }

  /** `route` is the pattern (`/v1/admin/tenants/:id`), never the raw URL: bounded label values. */
  observe(method: string, route: string, status: number, seconds: number): void {
    this.requests.inc({ method, route, status: String(status) });
    this.duration.observe({ method, route }, seconds);
  }
}
