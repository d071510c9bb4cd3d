import { type CommitStats } from "@strata/core";
import { Counter, Histogram, type Registry } from "prom-client";

/** Group-commit figures: what the owner writes, how big its transactions are, how long they take. */
export class StreamMetrics {
  private readonly messages: Counter<"result">;
  private readonly bytes: Counter;
  private readonly batchSize: Histogram;
  private readonly commitSeconds: Histogram<"result">;

  constructor(registry: Registry) {
    this.messages = new Counter({
      name: "strata_stream_messages_committed_total",
      help: "Stream messages in group-commit transactions, by result (ok = committed)",
      labelNames: ["result"],
      registers: [registry],
    });
    this.bytes = new Counter({
      name: "strata_stream_bytes_committed_total",
      help: "Bytes of stream message values committed",
      registers: [registry],
    });
    this.batchSize = new Histogram({
      name: "strata_stream_commit_batch_messages",
      help: "Messages per group-commit transaction",
      buckets: [1, 2, 5, 10, 50, 100, 500, 1000, 2000, 5000],
      registers: [registry],
    });
    this.commitSeconds = new Histogram({
      name: "strata_stream_commit_seconds",
      help: "Duration of group-commit transactions, by result",
      labelNames: ["result"],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    });
  }

  observe(s: CommitStats): void {
    const result = s.ok ? "ok" : "failed";
    this.messages.inc({ result }, s.messages);
    if (s.ok) this.bytes.inc(s.bytes);
    this.batchSize.observe(s.messages);
    this.commitSeconds.observe({ result }, s.seconds);
  }
}
