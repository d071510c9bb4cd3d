import {
  type AppendOptions,
  type AppendResult,
  type ClusterNode,
  type Forwarder,
  ForwardFailed,
  type NewMessage,
  RemoteError,
  type Removal,
  type StreamRef,
} from "@strata/core";
import { CLUSTER_SECRET_HEADER } from "./cluster-secret.js";
import { INTERNAL_CONTENT_TYPE, type InternalAnswer, wire } from "./internal-wire.js";

const TIMEOUT_MS = 10_000;

/** Owner operations over HTTP to another node's /internal endpoints (keep-alive connections). */
export class HttpForwarder implements Forwarder {
  constructor(private readonly secret: string) {}

  append(
    to: ClusterNode,
    ref: StreamRef,
    messages: readonly NewMessage[],
    opts: AppendOptions,
  ): Promise<AppendResult> {
    return this.call(to, "append", { ref, messages, opts });
  }

  deleteOne(to: ClusterNode, ref: StreamRef, seq: number): Promise<boolean> {
    return this.call(to, "delete-one", { ref, seq });
  }

  deleteUpTo(to: ClusterNode, ref: StreamRef, upToSeq: number | null): Promise<Removal> {
    return this.call(to, "delete-up-to", { ref, upToSeq });
  }

  private async call<T>(to: ClusterNode, op: string, body: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${to.address}/internal/streams/${op}`, {
        method: "POST",
        headers: { "content-type": INTERNAL_CONTENT_TYPE, [CLUSTER_SECRET_HEADER]: this.secret },
        body: wire.pack(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      throw new ForwardFailed(`Node ${to.id} did not answer: ${(err as Error).message}`);
    }
    if (res.status !== 200) {
      // 401 means the nodes disagree on the cluster secret: a configuration error, not worth retrying.
      const retryable = res.status >= 500;
      throw new RemoteError({
        code: retryable ? "forward_failed" : "cluster_misconfigured",
        status: retryable ? 503 : 500,
        message: `Node ${to.id} answered ${res.status} to an internal ${op}.`,
        retryable,
      });
    }
    const answer = wire.unpack(Buffer.from(await res.arrayBuffer())) as InternalAnswer<T>;
    if (answer.ok) return answer.result;
    throw new RemoteError(answer.error);
  }
}
