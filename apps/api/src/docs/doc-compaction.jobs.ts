import { Inject, Injectable, Logger, type OnApplicationBootstrap } from "@nestjs/common";
import { DocCompactor, type DocRowId } from "@strata/core";
import { DocCompactionPg } from "@strata/db";
import { RUNTIME, type Runtime } from "../config/runtime.js";
import { JOB_RUNNER } from "../jobs/jobs.module.js";
import { type JobRunner } from "../jobs/job-runner.js";

export const COMPACTION_QUEUE = "compaction";

/** Jobs on the `compaction` queue this module handles (other kinds are left alone). */
export type DocCompactionJob = { kind: "doc"; docId: number } | { kind: "doc-sweep" };

const SWEEP_LIMIT = 100;

/**
 * Runs document compaction on worker nodes: a `doc` job (queued by the owner
 * when a document crosses the change count/bytes thresholds) compacts one
 * document; the repeatable run (or a `doc-sweep` job) compacts documents
 * with change rows that nobody has written for STRATA_DOC_COMPACT_IDLE_MS.
 * Compaction is safe on any node, concurrently with the owner: see
 * DocCompactor.
 */
@Injectable()
export class DocCompactionJobs implements OnApplicationBootstrap {
  private readonly logger = new Logger("doc-compaction");

  constructor(
    @Inject(JOB_RUNNER) private readonly jobs: JobRunner,
    @Inject(RUNTIME) private readonly runtime: Runtime,
    private readonly compactor: DocCompactor,
    private readonly store: DocCompactionPg,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.runtime.config.roles.includes("worker")) return;
    this.jobs.work(COMPACTION_QUEUE, (data) => this.run(data));
    await this.jobs
      .repeat(
        COMPACTION_QUEUE,
        Math.max(1000, Math.floor(this.runtime.config.docs.compactIdleMs / 2)),
      )
      .catch((err: Error) =>
        this.logger.warn({ err: err.message }, "could not schedule the sweep"),
      );
  }

  /** Queues compaction of one document (from the owner; fire and forget). */
  request(docId: DocRowId): void {
    const job: DocCompactionJob = { kind: "doc", docId };
    void this.jobs.add(COMPACTION_QUEUE, job).catch(() => {});
  }

  async run(data: Record<string, unknown>): Promise<void> {
    if (data.kind === "doc" && typeof data.docId === "number") {
      await this.compactor.compact(data.docId as DocRowId);
      return;
    }
    if (data.kind !== undefined && data.kind !== "doc-sweep") return;
    await this.sweep();
  }

  /** Compacts idle documents with change rows; returns how many were compacted. */
  async sweep(): Promise<number> {
    const ids = await this.store.idleWithChanges(
      this.runtime.config.docs.compactIdleMs,
      SWEEP_LIMIT,
    );
    let n = 0;
    for (const id of ids) {
      const r = await this.compactor.compact(id);
      if (r.outcome === "compacted") n++;
    }
    return n;
  }
}
