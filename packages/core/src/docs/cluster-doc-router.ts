import { type ClusterNode, type Placement } from "../cluster/cluster-stream-router.js";
import { routeToOwner } from "../cluster/owner-routing.js";
import { type AnyDoc } from "./doc-content.js";
import { type DocOwner } from "./doc-owner.js";
import { docResource } from "./doc-store.js";
import { type DocRef, type Heads } from "./documents.js";

/** Sends `applyChanges` to another node (internal, authenticated channel). */
export interface DocForwarder {
  applyChanges(
    to: ClusterNode,
    ref: DocRef,
    changes: readonly Uint8Array[],
    opts: { readonly create: boolean },
  ): Promise<{ heads: Heads }>;
}

/** Where writes go: this node's DocOwner on one node, a forwarding router in a cluster. */
export interface DocRouter {
  applyChanges(
    ref: DocRef,
    changes: readonly Uint8Array[],
    opts: { readonly create: boolean },
  ): Promise<{ heads: Heads }>;
  /** Runs `fn` on the committed document if its owner is this node and has it loaded. */
  readLoaded<T>(ref: DocRef, fn: (doc: AnyDoc, heads: Heads) => T): Promise<T | undefined>;
  /** The document was deleted: drop it from memory here. */
  forget(ref: DocRef): void;
}

export interface ClusterDocRouterOptions {
  readonly attempts: number;
  readonly backoffMs: number;
}

/**
 * Routes `applyChanges` to the document's owner (`doc:<tenant>/<id>`): this
 * node's DocOwner, or another node through the DocForwarder; an unowned
 * document goes to its preferred node by rendezvous hashing, which claims it.
 *
 * Retry safety: unlike KV writes, applying changes is idempotent — changes
 * are keyed by hash, the owner skips those the document has, and storage
 * inserts with ON CONFLICT DO NOTHING — so applying the same changes twice
 * stores them once and yields the same heads. Every retryable failure is
 * therefore retried, including those whose outcome is unknown (a timeout,
 * a dropped connection after sending, a failed commit).
 */
export class ClusterDocRouter implements DocRouter {
  constructor(
    private readonly local: DocOwner,
    private readonly placement: Placement,
    private readonly forwarder: DocForwarder,
    private readonly self: { readonly id: string },
    private readonly options: ClusterDocRouterOptions,
  ) {}

  applyChanges(
    ref: DocRef,
    changes: readonly Uint8Array[],
    opts: { readonly create: boolean },
  ): Promise<{ heads: Heads }> {
    return routeToOwner({
      placement: this.placement,
      self: this.self,
      attempts: this.options.attempts,
      backoffMs: this.options.backoffMs,
      resource: docResource(ref),
      loadedHere: this.local.isLoaded(ref),
      here: () => this.local.applyChanges(ref, changes, opts),
      there: (node) => this.forwarder.applyChanges(node, ref, changes, opts),
      mayRetry: () => true,
    });
  }

  readLoaded<T>(ref: DocRef, fn: (doc: AnyDoc, heads: Heads) => T): Promise<T | undefined> {
    return this.local.readLoaded(ref, fn);
  }

  forget(ref: DocRef): void {
    this.local.forget(ref);
  }
}
