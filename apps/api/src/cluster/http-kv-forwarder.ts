import {
  type BucketRef,
  type ClusterNode,
  ForwardFailed,
  type KvCompare,
  type KvForwarder,
  ForwardRefused,
  type KvTxnOp,
  type KvTxnResult,
  type KvWriteResult,
  RemoteError,
} from "@strata/core";
import { CLUSTER_SECRET_HEADER } from "./cluster-secret.js";
import { INTERNAL_CONTENT_TYPE, type InternalAnswer, wire } from "./internal-wire.js";

const TIMEOUT_MS = 10_000;

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

  private async call<T>(to: ClusterNode, op: string, body: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${to.address}/internal/kv/${op}`, {
        method: "POST",
        headers: { "content-type": INTERNAL_CONTENT_TYPE, [CLUSTER_SECRET_HEADER]: this.secret },
        body: wire.pack(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      const message = `Node ${to.id} did not answer: ${(err as Error).message}`;
      throw refused(err) ? new ForwardRefused(message) : new ForwardFailed(message);
    }
    if (res.status !== 200) {
      // 401 means the nodes disagree on the cluster secret: a configuration error, not worth retrying.
      const retryable = res.status >= 500;
      throw new RemoteError({
        code: retryable ? "forward_failed" : "cluster_misconfigured",
        status: retryable ? 503 : 500,
        message: `Node ${to.id} answered ${res.status} to an internal kv ${op}.`,
        retryable,
      });
    }
    const answer = wire.unpack(Buffer.from(await res.arrayBuffer())) as InternalAnswer<T>;
    if (answer.ok) return answer.result;
    throw new RemoteError(answer.error);
  }
}
