import { type DocumentId, type DocumentsForSync } from "../documents.js";
import { type DocChannel } from "./doc-channel.js";
import { type DocReplicas } from "./doc-replicas.js";
import { type PeerMetadata, type ServerMessage } from "./repo-messages.js";

/**
 * Bounds of one sync connection. Every buffer a peer can make the server
 * hold is limited by one of these (docs/protocol.md, "Document sync").
 */
export interface SyncLimits {
  /** Documents one connection may sync at once; more are answered `doc-unavailable`. */
  readonly maxDocsPerPeer: number;
  /** Received messages not yet processed; past it the server stops reading the socket. */
  readonly maxInboxBytes: number;
  /** Unsent bytes past which sync messages wait for the socket to drain. */
  readonly syncHighWaterBytes: number;
  /** Unsent bytes past which ephemeral messages to the peer are dropped. */
  readonly ephemeralHighWaterBytes: number;
  /** Unsent bytes past which the peer is cut: it is not reading. */
  readonly sendLimitBytes: number;
  /** How often a changed sync state is written to storage (and once at the end). */
  readonly syncStateSaveMs: number;
  /** Attempts at storing a peer's changes when storage answers "retry". */
  readonly applyAttempts: number;
  readonly drainPollMs: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_SYNC_LIMITS: SyncLimits = {
  maxDocsPerPeer: 10_000,
  maxInboxBytes: 64 * MiB,
  syncHighWaterBytes: 8 * MiB,
  ephemeralHighWaterBytes: MiB,
  sendLimitBytes: 128 * MiB,
  syncStateSaveMs: 2000,
  applyAttempts: 4,
  drainPollMs: 25,
};

/** The socket under a session, as the protocol needs it. */
export interface PeerTransport {
  send(message: ServerMessage): void;
  /** Bytes handed to the socket that it has not sent yet. */
  readonly bufferedBytes: number;
  pauseReading(): void;
  resumeReading(): void;
  close(code: number, reason: string): void;
}

/** What the peer's credential allows (the tenant, `docs:read` / `docs:write` and name patterns). */
export interface PeerAccess {
  readonly tenantId: string;
  canRead(documentId: DocumentId): boolean;
  canWrite(documentId: DocumentId): boolean;
}

/** Strata as a peer: its peer id on this node and the storage id shared by all nodes. */
export interface SyncServerIdentity {
  readonly peerId: string;
  readonly storageId: string;
}

export interface SyncLog {
  warn(details: Record<string, unknown>, message: string): void;
}

/** Node-wide collaborators of every session. */
export interface SyncContext {
  readonly docs: DocumentsForSync;
  readonly replicas: DocReplicas;
  readonly server: SyncServerIdentity;
  readonly limits: SyncLimits;
  readonly log: SyncLog;
}

/** WebSocket close codes the sessions use. */
export const CLOSE = {
  protocolError: 1002,
  policy: 1008,
  tooBig: 1009,
  internal: 1011,
  tryAgain: 1013,
} as const;

/** The peer session, as its document channels see it. */
export interface ChannelOwner {
  readonly ctx: SyncContext;
  readonly access: PeerAccess;
  readonly peerId: string;
  readonly metadata: PeerMetadata;
  readonly subscribedToUs: boolean;
  readonly bufferedBytes: number;
  send(message: ServerMessage): void;
  /** `bytes` of received messages have been handled (inbox accounting). */
  consumed(bytes: number): void;
  channelClosed(channel: DocChannel): void;
  /** A connection-level failure: tell the peer and close. */
  fail(err: unknown): void;
  waitForDrain(channel: DocChannel): void;
}
