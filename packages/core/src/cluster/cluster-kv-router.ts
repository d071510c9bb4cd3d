import { StrataError } from "../errors.js";
import { type KvOwner, type KvPeek } from "../kv/kv-owner.js";
import { type KvRouter } from "../kv/kv-service.js";
import {
  type BucketId,
  type BucketRef,
  type KvBatchOutcome,
  type KvBatchPut,
  type KvCompare,
  type KvConfig,
  type KvTxnOp,
  type KvTxnResult,
  type KvWriteResult,
} from "../kv/kv.js";
import { type ClusterNode, type Placement } from "./cluster-stream-router.js";
import { routeTarget, routeToOwner } from "./owner-routing.js";

/** Sends KV owner operations to another node (internal, authenticated channel). */
export interface KvForwarder {
  put(
    to: ClusterNode,
    ref: BucketRef,
    key: string,
    value: Uint8Array,
    opts: { ttlSeconds?: number; compare?: KvCompare },
  ): Promise<KvWriteResult>;
  putBatch(to: ClusterNode, ref: BucketRef, puts: readonly KvBatchPut[]): Promise<KvBatchOutcome[]>;
  delete(to: ClusterNode, ref: BucketRef, key: string, compare?: KvCompare): Promise<KvWriteResult>;
  txn(
    to: ClusterNode,
    ref: BucketRef,
    compares: readonly KvCompare[],
    ops: readonly KvTxnOp[],
  ): Promise<KvTxnResult>;
  touch(
    to: ClusterNode,
    ref: BucketRef,
    key: string,
    ttlSeconds?: number,
  ): Promise<{ expiresAt: Date | null }>;
}

/**
 * The other node could not be reached and the request was never sent
 * (connection refused): nothing can have been written, so it is safe to retry.
 */
export class ForwardRefused extends StrataError {
  readonly code = "forward_refused";
  readonly status = 503;
  override readonly retryable = true;
}

export interface ClusterKvRouterOptions {
  readonly attempts: number;
  readonly backoffMs: number;
}

/** Failures that prove the write was not applied anywhere: retrying cannot apply it twice. */
const NOTHING_WRITTEN = new Set(["not_owner", "fenced", "forward_refused"]);

/**
 * Routes each KV write to the bucket's owner (`bucket:<id>`): this node's
 * KvOwner, or another node through the KvForwarder. An unowned bucket (or one
 * whose owner died) goes to its preferred node by rendezvous hashing, which
 * claims it — the same placement as ClusterStreamRouter.
 *
 * Retry safety: KV writes carry no idempotency key, so a write whose outcome
 * is unknown (a timeout, a dropped connection after sending, a 5xx, a failed
 * commit) is never retried here — it reaches the client as a retryable 503,
 * and a client retrying with `If-Match` cannot apply it twice. Only failures
 * that prove nothing was written are retried, locally or forwarded:
 * `not_owner`, `fenced`, and `forward_refused` (connection refused before the
 * request was sent).
 */
export class ClusterKvRouter implements KvRouter {
  constructor(
    private readonly local: KvOwner,
    private readonly placement: Placement,
    private readonly forwarder: KvForwarder,
    private readonly self: { readonly id: string },
    private readonly options: ClusterKvRouterOptions,
  ) {}

  put(
    ref: BucketRef,
    key: string,
    value: Uint8Array,
    opts: { ttlSeconds?: number; compare?: KvCompare },
  ): Promise<KvWriteResult> {
    return this.route(
      ref,
      () => this.local.put(ref, key, value, opts),
      (node) => this.forwarder.put(node, ref, key, value, opts),
    );
  }

  /** The whole batch goes to the owner; entries fail there one by one, never across nodes. */
  putBatch(ref: BucketRef, puts: readonly KvBatchPut[]): Promise<KvBatchOutcome[]> {
    return this.route(
      ref,
      () => this.local.putBatch(ref, puts),
      (node) => this.forwarder.putBatch(node, ref, puts),
    );
  }

  delete(ref: BucketRef, key: string, compare?: KvCompare): Promise<KvWriteResult> {
    return this.route(
      ref,
      () => this.local.delete(ref, key, compare),
      (node) => this.forwarder.delete(node, ref, key, compare),
    );
  }

  txn(
    ref: BucketRef,
    compares: readonly KvCompare[],
    ops: readonly KvTxnOp[],
  ): Promise<KvTxnResult> {
    return this.route(
      ref,
      () => this.local.txn(ref, compares, ops),
      (node) => this.forwarder.txn(node, ref, compares, ops),
    );
  }

  touch(ref: BucketRef, key: string, ttlSeconds?: number): Promise<{ expiresAt: Date | null }> {
    return this.route(
      ref,
      () => this.local.touch(ref, key, ttlSeconds),
      (node) => this.forwarder.touch(node, ref, key, ttlSeconds),
    );
  }

  peek(id: BucketId): KvPeek | undefined {
    return this.local.peek(id);
  }

  updateConfig(id: BucketId, config: KvConfig): void {
    this.local.updateConfig(id, config);
  }

  forget(id: BucketId): void {
    this.local.forget(id);
  }

  /** Which node should serve `resource` now. */
  target(resource: string): Promise<ClusterNode | "self"> {
    return routeTarget(this.placement, this.self, resource);
  }

  private route<T>(
    ref: BucketRef,
    here: () => Promise<T>,
    there: (node: ClusterNode) => Promise<T>,
  ): Promise<T> {
    return routeToOwner({
      placement: this.placement,
      self: this.self,
      attempts: this.options.attempts,
      backoffMs: this.options.backoffMs,
      resource: `bucket:${ref.id}`,
      loadedHere: this.local.peek(ref.id) !== undefined,
      here,
      there,
      mayRetry: (err) => NOTHING_WRITTEN.has(err.code),
    });
  }
}
