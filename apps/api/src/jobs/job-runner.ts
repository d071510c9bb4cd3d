/** A queue's handler: idempotent, safe to retry. */
export type JobHandler = (data: Record<string, unknown>) => Promise<void>;

export interface QueueStats {
  readonly name: string;
  readonly waiting: number;
  readonly active: number;
  readonly failed: number;
  readonly completed: number;
  readonly recentFailures: readonly { id: string; error: string; at: string }[];
  readonly every?: number;
}

/**
 * Background work (DESIGN §1): named queues, handlers, repeatable schedules.
 * BullMQ on Redis in a cluster (one run per interval however many workers);
 * an in-process runner behind the same interface when there is no Redis.
 */
export interface JobRunner {
  /** This node works on `queue` (only on nodes with the worker role). */
  work(queue: string, handler: JobHandler): void;
  /** Run `queue` every `everyMs` (one schedule for the whole cluster). */
  repeat(queue: string, everyMs: number): Promise<void>;
  add(queue: string, data: Record<string, unknown>): Promise<void>;
  stats(): Promise<QueueStats[]>;
  retry(queue: string, jobId: string): Promise<boolean>;
  close(): Promise<void>;
}

export const QUEUES = ["heartbeat-monitor", "retention", "compaction", "tiering"] as const;
export type QueueName = (typeof QUEUES)[number];
