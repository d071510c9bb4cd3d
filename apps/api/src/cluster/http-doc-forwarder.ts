import {
  type ClusterNode,
  type DocForwarder,
  type DocRef,
  ForwardFailed,
  type Heads,
} from "@strata/core";
import { callNode } from "./internal-wire.js";

/**
 * `applyChanges` over HTTP to the owner's /internal/docs/apply (msgpack keeps
 * the changes binary). Any failure to get an answer is ForwardFailed, which
 * the router retries: applying changes is idempotent (keyed by hash), so an
 * unknown outcome is safe to try again.
 */
export class HttpDocForwarder implements DocForwarder {
  constructor(private readonly secret: string) {}

  applyChanges(
    to: ClusterNode,
    ref: DocRef,
    changes: readonly Uint8Array[],
    opts: { readonly create: boolean },
  ): Promise<{ heads: Heads }> {
    return callNode(
      to,
      "/internal/docs/apply",
      { ref: { tenantId: ref.tenantId, documentId: ref.documentId }, changes, create: opts.create },
      this.secret,
      (_err, message) => new ForwardFailed(message),
    );
  }
}
