import { StrataError } from "../errors.js";
import { type AppendDone, type StreamOwner } from "../streams/stream-owner.js";
import { type StreamRef } from "../streams/owner-ports.js";
import { type StreamCounters, type StreamRouter } from "../streams/streams-service.js";
import { type Removal } from "../streams/stream-store.js";
import {
  type AppendOptions,
  type AppendResult,
  type NewMessage,
  type StreamConfig,
  type StreamId,
} from "../streams/stream.js";
import { routeTarget, routeToOwner } from "./owner-routing.js";

/** A live node as routing sees it. `name` is stable across restarts; `id` is one incarnation. */
export interface ClusterNode {
  readonly id: string;
  readonly name: string;
  readonly address: string;
}

/** Where resources live (the `leases` and `nodes` tables). Answers may be briefly cached. */
export interface Placement {
  /** The owner of `resource` if it has one that is alive; null when unowned or its owner is not alive. */
  owner(resource: string): Promise<ClusterNode | null>;
  /** Nodes whose lease is alive. */
  aliveNodes(): Promise<ClusterNode[]>;
  /** Forget cached answers about `resource` (after a routing failure). */
  invalidate(resource: string): void;
}

/** Sends owner operations to another node (internal, authenticated channel). */
export interface Forwarder {
  append(
    to: ClusterNode,
    ref: StreamRef,
    messages: readonly NewMessage[],
    opts: AppendOptions,
  ): Promise<AppendResult>;
  deleteOne(to: ClusterNode, ref: StreamRef, seq: number): Promise<boolean>;
  deleteUpTo(to: ClusterNode, ref: StreamRef, upToSeq: number | null): Promise<Removal>;
  /** The owner's live counters, or null when it does not have the stream loaded. */
  counters(to: ClusterNode, ref: StreamRef): Promise<StreamCounters | null>;
}

/** The other node could not be reached, or did not answer: the outcome is unknown. */
export class ForwardFailed extends StrataError {
  readonly code = "forward_failed";
  readonly status = 503;
  override readonly retryable = true;
}

export interface ClusterRouterOptions {
  readonly attempts: number;
  readonly backoffMs: number;
  /** Makes a msg id for forwarded messages that have none, so a retry cannot duplicate. */
  readonly newMsgId: () => string;
}

/**
 * Routes each owner operation to the stream's owner: this node's StreamOwner,
 * or another node through the Forwarder. An unowned stream (or one whose owner
 * died) goes to its preferred node by rendezvous hashing, which claims it.
 * Retryable failures (not the owner, fenced, unreachable) are retried on the
 * new owner; forwarded appends carry msg ids, so a retry after an unknown
 * outcome is de-duplicated instead of written twice.
 */
export class ClusterStreamRouter implements StreamRouter {
  constructor(
    private readonly local: StreamOwner,
    private readonly placement: Placement,
    private readonly forwarder: Forwarder,
    private readonly self: { readonly id: string },
    private readonly options: ClusterRouterOptions,
  ) {}

  async append(
    ref: StreamRef,
    messages: readonly NewMessage[],
    opts: AppendOptions,
  ): Promise<AppendResult> {
    let withIds: NewMessage[] | undefined;
    const generated = messages.map((m) => !m.msgId);
    return this.route(
      ref,
      () => this.local.append(ref, messages, opts),
      async (node, attempt) => {
        withIds ??= messages.map((m) => (m.msgId ? m : { ...m, msgId: this.options.newMsgId() }));
        const result = await this.forwarder.append(node, ref, withIds, opts);
        // A retry may find its own first try committed: that is not a duplicate to the client.
        if (attempt === 0 || !result.seqs.some((s, i) => s.duplicate && generated[i]))
          return result;
        const seqs = result.seqs.map((s, i) => (generated[i] ? { ...s, duplicate: false } : s));
        return { ...result, seqs, duplicate: seqs.every((s) => s.duplicate) };
      },
    );
  }

  canAppendNow(id: StreamId): boolean {
    return this.local.canAppendNow(id);
  }

  /** Only on this node: a stream loaded here is ours until we hand it over or lose our lease. */
  tryAppend(
    ref: StreamRef,
    messages: readonly NewMessage[],
    opts: AppendOptions,
    done: AppendDone,
  ): boolean {
    return this.local.tryAppend(ref.id, messages, opts, done);
  }

  deleteOne(ref: StreamRef, seq: number): Promise<boolean> {
    return this.route(
      ref,
      () => this.local.deleteOne(ref, seq),
      (node) => this.forwarder.deleteOne(node, ref, seq),
    );
  }

  deleteUpTo(ref: StreamRef, upToSeq: number): Promise<Removal> {
    return this.route(
      ref,
      () => this.local.deleteUpTo(ref, upToSeq),
      (node) => this.forwarder.deleteUpTo(node, ref, upToSeq),
    );
  }

  purge(ref: StreamRef): Promise<Removal> {
    return this.route(
      ref,
      () => this.local.purge(ref),
      (node) => this.forwarder.deleteUpTo(node, ref, null),
    );
  }

  peek(id: StreamId) {
    return this.local.peek(id);
  }

  /** Counters are a read: one look at the owner, no claim, no retries (storage is the fallback). */
  async counters(ref: StreamRef): Promise<StreamCounters | undefined> {
    const here = this.local.peek(ref.id);
    if (here) return here;
    const owner = await this.placement.owner(`stream:${ref.id}`);
    if (!owner || owner.id === this.self.id) return undefined;
    try {
      return (await this.forwarder.counters(owner, ref)) ?? undefined;
    } catch {
      return undefined;
    }
  }

  updateConfig(id: StreamId, config: StreamConfig): void {
    this.local.updateConfig(id, config);
  }

  forget(id: StreamId): void {
    this.local.forget(id);
  }

  /** Which node should serve `resource` now. */
  target(resource: string): Promise<ClusterNode | "self"> {
    return routeTarget(this.placement, this.self, resource);
  }

  private route<T>(
    ref: StreamRef,
    here: () => Promise<T>,
    there: (node: ClusterNode, attempt: number) => Promise<T>,
  ): Promise<T> {
    return routeToOwner({
      placement: this.placement,
      self: this.self,
      attempts: this.options.attempts,
      backoffMs: this.options.backoffMs,
      resource: `stream:${ref.id}`,
      loadedHere: this.local.isLoaded(ref.id),
      here,
      there,
      // Locally, only failures that prove nothing was written are retried; forwarded appends
      // carry msg ids, so their retries are de-duplicated.
      mayRetry: (err, target) =>
        target !== "self" || err.code === "not_owner" || err.code === "fenced",
    });
  }
}
