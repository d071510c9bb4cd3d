import { type Claimer, type LeaseTable, NotOwner } from "@strata/core";
import { type Runtime } from "../config/runtime.js";

/**
 * The Claimer every owner (streams, KV, documents) takes: claims the lease for
 * this node, and refuses with NotOwner when another live node holds it. The
 * node id is read at each claim, since it changes when the node rejoins.
 */
export function ownerClaimer(leases: LeaseTable, rt: Runtime): Claimer {
  return {
    claim: async (resource, kind, tenantId) => {
      const epoch = await leases.claim(resource, kind, tenantId, rt.node.identity.id);
      if (epoch === null) throw new NotOwner(resource);
      return epoch;
    },
  };
}

/** How the Cluster*Routers retry a write forwarded to a resource's owner. */
export function forwardRetries(rt: Runtime): { attempts: number; backoffMs: number } {
  return { attempts: rt.config.forwardAttempts, backoffMs: 100 };
}
