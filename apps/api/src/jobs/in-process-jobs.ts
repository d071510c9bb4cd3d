import { type JobHandler, type JobRunner, type QueueStats } from "./job-runner.js";

interface Queue {
  handler?: JobHandler;
  every?: number;
  timer?: NodeJS.Timeout;
  active: number;
  completed: number;
  failed: { id: string; error: string; at: string; data: Record<string, unknown> }[];
  running: boolean;
}

/** The single-node runner: timers and promises, same contract as BullMQ's. */
export class InProcessJobs implements JobRunner {
  private readonly queues = new Map<string, Queue>();
  private nextId = 1;

  work(queue: string, handler: JobHandler): void {
    this.queue(queue).handler = handler;
  }

  async repeat(queue: string, everyMs: number): Promise<void> {
    const q = this.queue(queue);
    clearInterval(q.timer);
    q.every = everyMs;
    q.timer = setInterval(() => {
      // A run still going when the next is due is not doubled up.
      if (!q.running) void this.run(queue, {});
    }, everyMs);
    q.timer.unref();
  }

  async add(queue: string, data: Record<string, unknown>): Promise<void> {
    void this.run(queue, data);
  }

  async stats(): Promise<QueueStats[]> {
    return [...this.queues].map(([name, q]) => ({
      name,
      waiting: 0,
      active: q.active,
      failed: q.failed.length,
      completed: q.completed,
      recentFailures: q.failed.slice(-10).map(({ id, error, at }) => ({ id, error, at })),
      ...(q.every ? { every: q.every } : {}),
    }));
  }

  async retry(queue: string, jobId: string): Promise<boolean> {
    const q = this.queue(queue);
    const i = q.failed.findIndex((f) => f.id === jobId);
    if (i < 0) return false;
    const [job] = q.failed.splice(i, 1);
    void this.run(queue, job!.data);
    return true;
  }

  async close(): Promise<void> {
    for (const q of this.queues.values()) clearInterval(q.timer);
  }

  private queue(name: string): Queue {
    let q = this.queues.get(name);
    if (!q) this.queues.set(name, (q = { active: 0, completed: 0, failed: [], running: false }));
    return q;
  }

  private async run(name: string, data: Record<string, unknown>): Promise<void> {
    const q = this.queue(name);
    if (!q.handler) return;
    const id = String(this.nextId++);
    q.active++;
    q.running = true;
    try {
      await q.handler(data);
      q.completed++;
    } catch (err) {
      q.failed.push({ id, error: (err as Error).message, at: new Date().toISOString(), data });
      if (q.failed.length > 100) q.failed.shift();
    } finally {
      q.active--;
      q.running = false;
    }
  }
}
