import {
  ClusterStreamRouter,
  DEFAULT_TIERING,
  KvOwner,
  type ObjectStore,
  type StreamId,
  type TenantId,
  type TieringDefaults,
  purgeExpired,
} from "@strata/core";
import {
  type KvLogPg,
  type StreamCatalogPg,
  type StreamRetentionPg,
  type StreamTiererPg,
  sweepDocOrphans,
  sweepOrphans,
  type SweepResult,
  tierIdleSnapshots,
  type TierOverrides,
  type TierResult,
  type Pool,
} from "@strata/db";

export interface TieringRun extends TierResult {
  readonly streams: number;
  /** Idle documents whose latest snapshot moved to the object store. */
  readonly docSnapshots: number;
  /** Streams' and documents' objects no row references. */
  readonly orphans: SweepResult;
}

/** Snapshot rows per query of the documents pass; a run takes at most DOC_BATCHES of them. */
const DOC_BATCH = 500;
const DOC_BATCHES = 20;

export interface RetentionRun {
  readonly streams: number;
  /** Messages removed across both tiers. */
  readonly messages: number;
  readonly kvExpired: number;
  readonly orphans: SweepResult;
}

export function tieringDefaults(c: {
  tierAfterSeconds: number;
  tierMinMessages: number;
  segmentMessages: number;
  segmentBytes: number;
}): TieringDefaults {
  return { ...DEFAULT_TIERING, ...c };
}

/**
 * The `tiering` and `retention` jobs. Tiering runs on whichever worker
 * takes the job (it does not change a stream's counters, so it needs no
 * owner); retention deletes through the stream's owner (`deleteUpTo`,
 * forwarded in a cluster), which keeps the owner's counters right and its
 * writes fenced.
 */
export class TieringService {
  constructor(
    private readonly pool: Pool,
    private readonly store: ObjectStore,
    private readonly tierer: StreamTiererPg,
    private readonly retention: StreamRetentionPg,
    private readonly catalog: StreamCatalogPg,
    private readonly router: ClusterStreamRouter,
    private readonly kv: { owner: KvOwner; log: KvLogPg } | null,
    private readonly orphanGraceSeconds: number,
    private readonly docs: { readonly idleSeconds: number },
  ) {}

  /**
   * One tiering pass over every stream that is due and every idle
   * document's latest snapshot, then the orphan sweeps.
   */
  async tierAll(): Promise<TieringRun> {
    let segments = 0;
    let messages = 0;
    let bytes = 0;
    const due = await this.tierer.candidates();
    const failures: string[] = [];
    for (const id of due) {
      try {
        const r = await this.tierer.tierStream(id);
        segments += r.segments;
        messages += r.messages;
        bytes += r.bytes;
      } catch (err) {
        failures.push(`stream ${id}: ${(err as Error).message}`);
      }
    }
    const docs = await this.tierDocs();
    failures.push(...docs.failures);
    const orphans = add(
      await sweepOrphans(this.pool, this.store, this.orphanGraceSeconds),
      await sweepDocOrphans(this.pool, this.store, this.orphanGraceSeconds),
    );
    // One stream's trouble does not hold up the others; the job still fails, so it shows.
    if (failures.length > 0) throw new Error(`tiering failed for ${failures.join("; ")}`);
    return {
      streams: due.length,
      segments,
      messages,
      bytes,
      docSnapshots: docs.snapshots,
      orphans,
    };
  }

  /**
   * Moves the latest snapshot of documents without writes for the policy's
   * idle time. Needs no owner: a loaded document keeps its memory copy, and
   * the next load reads the same bytes from the object store.
   */
  async tierDocs(): Promise<{ snapshots: number; failures: string[] }> {
    let snapshots = 0;
    // A document that keeps failing is picked again by every batch: name it once.
    const failures = new Set<string>();
    for (let i = 0; i < DOC_BATCHES; i++) {
      const r = await tierIdleSnapshots(this.pool, this.store, {
        idleSeconds: this.docs.idleSeconds,
        limit: DOC_BATCH,
      });
      snapshots += r.snapshots;
      for (const f of r.failures) failures.add(f);
      if (r.considered < DOC_BATCH) break;
    }
    return { snapshots, failures: [...failures] };
  }

  /** Tiers one stream now (admin), with optional overrides of its policy. */
  async tierOne(id: StreamId, overrides: TierOverrides = {}): Promise<TieringRun> {
    const r = await this.tierer.tierStream(id, overrides);
    return { streams: 1, ...r, docSnapshots: 0, orphans: await this.sweep(`streams/${id}/`) };
  }

  /** Stream limits across both tiers (and the objects of dropped segments), then KV TTL expiry. */
  async retainAll(): Promise<RetentionRun> {
    const targets = await this.retention.targets();
    let messages = 0;
    const failures: string[] = [];
    let orphans = { checked: 0, deleted: 0 };
    for (const t of targets) {
      try {
        const removed = await this.retainStream(t);
        messages += removed;
        // Only where segments may have gone; the tiering run sweeps everything.
        if (removed > 0) orphans = add(orphans, await this.sweep(`streams/${t.id}/`));
      } catch (err) {
        failures.push(`stream ${t.id}: ${(err as Error).message}`);
      }
    }
    const kvExpired = this.kv
      ? await purgeExpired(this.kv.owner, this.kv.log, { sweep: true, limit: 1000 })
      : 0;
    if (failures.length > 0) throw new Error(`retention failed for ${failures.join("; ")}`);
    return { streams: targets.length, messages, kvExpired, orphans };
  }

  async retainOne(t: { id: StreamId; tenantId: string; name: string }): Promise<RetentionRun> {
    const messages = await this.retainStream(t);
    return { streams: 1, messages, kvExpired: 0, orphans: await this.sweep(`streams/${t.id}/`) };
  }

  private sweep(prefix?: string): Promise<SweepResult> {
    return sweepOrphans(this.pool, this.store, this.orphanGraceSeconds, prefix);
  }

  private async retainStream(t: { id: StreamId; tenantId: string; name: string }) {
    const cut = await this.retention.cutoff(t.id);
    if (cut <= 0) return 0;
    const stream = await this.catalog.get(t.tenantId as TenantId, t.name);
    if (!stream || stream.id !== t.id) return 0;
    const ref = {
      id: stream.id,
      tenantId: stream.tenantId,
      name: stream.name,
      config: stream.config,
    };
    const r = await this.router.deleteUpTo(ref, cut);
    return r.messages;
  }
}

function add(a: SweepResult, b: SweepResult): SweepResult {
  return { checked: a.checked + b.checked, deleted: a.deleted + b.deleted };
}
