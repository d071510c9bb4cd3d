import {
  type BucketRef,
  type ClusterNode,
  type KvBatchOutcome,
  type KvBatchPut,
  ForwardFailed,
  type KvCompare,
  type KvForwarder,
  ForwardRefused,
  RemoteError,
  type KvTxnOp,
  type KvTxnResult,
  type KvWriteResult,
} from "@strata/core";
import { callNode } from "./internal-wire.js";

/** A batch entry's outcome as it crosses nodes. */
export type WireOutcome =
  { readonly revision: number } | { readonly error: ConstructorParameters<typeof RemoteError>[0] };

/** True when the connection was refused: the request never left this node. */
function refused(err: unknown): boolean {
  const cause = (err as { cause?: unknown }).cause as
    { code?: string; errors?: { code?: string }[] } | undefined;
  if (!cause) return false;
  if (cause.code === "ECONNREFUSED") return true;
  return (
    Array.isArray(cause.errors) &&
    cause.errors.length > 0 &&
    cause.errors.every((e) => e.code === "ECONNREFUSED")
  );
}

/**
 * KV owner operations over HTTP to another node's /internal/kv endpoints.
 * A refused connection is `ForwardRefused` (nothing sent: safe to retry);
 * any other failure is `ForwardFailed` (outcome unknown: not retried).
 */
export class HttpKvForwarder implements KvForwarder {
  constructor(private readonly secret: string) {}

  put(
    to: ClusterNode,
    ref: BucketRef,
    key: string,
    value: Uint8Array,
    opts: { ttlSeconds?: number; compare?: KvCompare },
  ): Promise<KvWriteResult> {
    return this.call(to, "put", { ref, key, value, opts });
  }

  /** Entries' errors travel as data (code, status, message) and come back as RemoteErrors. */
  async putBatch(
    to: ClusterNode,
    ref: BucketRef,
    puts: readonly KvBatchPut[],
  ): Promise<KvBatchOutcome[]> {
    const outcomes = await this.call<WireOutcome[]>(to, "put-batch", { ref, puts });
    return outcomes.map((o) => ("error" in o ? { error: new RemoteError(o.error) } : o));
  }

  delete(
    to: ClusterNode,
    ref: BucketRef,
    key: string,
    compare?: KvCompare,
  ): Promise<KvWriteResult> {
    return this.call(to, "delete", { ref, key, compare });
  }

  txn(
    to: ClusterNode,
    ref: BucketRef,
    compares: readonly KvCompare[],
    ops: readonly KvTxnOp[],
  ): Promise<KvTxnResult> {
    return this.call(to, "txn", { ref, compares, ops });
  }

  touch(
    to: ClusterNode,
    ref: BucketRef,
    key: string,
    ttlSeconds?: number,
  ): Promise<{ expiresAt: Date | null }> {
    return this.call(to, "touch", { ref, key, ttlSeconds });
  }

  private call<T>(to: ClusterNode, op: string, body: unknown): Promise<T> {
    return callNode(to, `/internal/kv/${op}`, body, this.secret, (err, message) =>
      refused(err) ? new ForwardRefused(message) : new ForwardFailed(message),
    );
  }
}
