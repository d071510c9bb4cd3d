import {
  type AppendOptions,
  type AppendResult,
  type ClusterNode,
  type Forwarder,
  ForwardFailed,
  type NewMessage,
  type Removal,
  type StreamCounters,
  type StreamRef,
} from "@strata/core";
import { callNode } from "./internal-wire.js";

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

  counters(to: ClusterNode, ref: StreamRef): Promise<StreamCounters | null> {
    return this.call(to, "counters", { ref });
  }

  private call<T>(to: ClusterNode, op: string, body: unknown): Promise<T> {
    return callNode(
      to,
      `/internal/streams/${op}`,
      body,
      this.secret,
      (_err, message) => new ForwardFailed(message),
    );
  }
}
