import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { type JobHandler, type JobRunner, type QueueStats } from "./job-runner.js";

/**
 * BullMQ queues on Redis. Repeatable work uses one job scheduler per queue,
 * so exactly one run happens per interval across the cluster.
 */
export class BullmqJobs implements JobRunner {
  private readonly connection: Redis;
  private readonly queues = new Map<string, Queue>();
  private readonly workers: Worker[] = [];
  /** Schedules to put back if Redis comes back empty (it keeps nothing on disk here). */
  private readonly schedules = new Map<string, number>();
  private wasReady = false;

  constructor(
    url: string,
    private readonly prefix = "strata",
  ) {
    this.connection = new Redis(url, { maxRetriesPerRequest: null });
    this.connection.on("error", () => {});
    this.connection.on("ready", () => {
      if (this.wasReady)
        for (const [queue, every] of this.schedules) void this.repeat(queue, every).catch(() => {});
      this.wasReady = true;
    });
  }

  work(queue: string, handler: JobHandler): void {
    const worker = new Worker(queue, async (job) => handler(job.data as Record<string, unknown>), {
      connection: this.connection.duplicate(),
      prefix: this.prefix,
      concurrency: 1,
    });
    worker.on("error", () => {});
    this.workers.push(worker);
  }

  async repeat(queue: string, everyMs: number): Promise<void> {
    this.schedules.set(queue, everyMs);
    await this.queue(queue).upsertJobScheduler(
      `${queue}-every`,
      { every: everyMs },
      {
        name: queue,
        opts: { removeOnComplete: 100, removeOnFail: 100 },
      },
    );
  }

  async add(queue: string, data: Record<string, unknown>): Promise<void> {
    await this.queue(queue).add(queue, data, {
      removeOnComplete: 100,
      removeOnFail: 100,
      attempts: 3,
    });
  }

  async stats(): Promise<QueueStats[]> {
    return Promise.all(
      [...this.queues].map(async ([name, q]) => {
        const counts = await q.getJobCounts("waiting", "active", "failed", "completed", "delayed");
        const failed = await q.getFailed(0, 9);
        return {
          name,
          waiting: (counts.waiting ?? 0) + (counts.delayed ?? 0),
          active: counts.active ?? 0,
          failed: counts.failed ?? 0,
          completed: counts.completed ?? 0,
          recentFailures: failed.map((j) => ({
            id: String(j.id),
            error: j.failedReason ?? "",
            at: new Date(j.finishedOn ?? j.timestamp).toISOString(),
          })),
        };
      }),
    );
  }

  async retry(queue: string, jobId: string): Promise<boolean> {
    const job = await this.queue(queue).getJob(jobId);
    if (!job || !(await job.isFailed())) return false;
    await job.retry();
    return true;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.connection.disconnect();
  }

  private queue(name: string): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.connection, prefix: this.prefix });
      q.on("error", () => {});
      this.queues.set(name, q);
    }
    return q;
  }
}
