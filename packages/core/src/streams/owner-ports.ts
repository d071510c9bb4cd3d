import { type ResourceKind } from "../cluster/cluster.js";
import { type Fenced } from "./stream.errors.js";
import { type Message, type StreamConfig, type StreamId } from "./stream.js";

/** What the owner needs to know about a stream to serve it. */
export interface StreamRef {
  readonly id: StreamId;
  readonly tenantId: string;
  readonly name: string;
  readonly config: StreamConfig;
}

/** Claims the placement row of a resource for this node (DESIGN §7); throws if another live node owns it. */
export interface Claimer {
  claim(resource: string, kind: ResourceKind, tenantId: string): Promise<number>;
}

export interface StreamOwnerOptions {
  /** This node; its id changes when it rejoins as a new incarnation. */
  readonly node: { readonly id: string };
  readonly maxBatchItems: number;
  readonly maxInFlight: number;
  /** Whether a synchronous standby exists, i.e. whether `replicated` can be reached. */
  readonly replicationAvailable: boolean;
  /** Called after every group-commit transaction (for metrics). */
  readonly onCommit?: (stats: CommitStats) => void;
  /** Called once when a write finds this node fenced. */
  readonly onFenced?: (err: Fenced) => void;
}

/** The bus event for committed messages of one stream. */
export interface StreamEvent {
  readonly streamId: StreamId;
  readonly messages: readonly Message[];
}

export const streamTopic = (id: StreamId) => `stream:${id}`;

export interface CommitStats {
  readonly ok: boolean;
  readonly messages: number;
  readonly bytes: number;
  readonly seconds: number;
}
