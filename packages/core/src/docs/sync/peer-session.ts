import { Forbidden, StrataError, Unauthenticated } from "../../errors.js";
import { InvalidChange } from "../docs.errors.js";
import { type DocumentId } from "../documents.js";
import { tryParseDocumentId } from "../document-id.js";
import { DocChannel } from "./doc-channel.js";
import {
  decodePeerMessage,
  MalformedRepoMessage,
  type PeerMessage,
  type PeerMetadata,
  REPO_PROTOCOL_VERSION,
  type ServerMessage,
} from "./repo-messages.js";
import {
  type ChannelOwner,
  CLOSE,
  type PeerAccess,
  type PeerTransport,
  type SyncContext,
} from "./sync-context.js";

const MAX_REFUSED = 10_000;

/**
 * One automerge-repo peer on one connection: the `join`/`peer` handshake,
 * then a DocChannel per document the peer asks for or sends. Strata never
 * announces documents; a document the key may not read, another tenant's
 * document and an unknown one all get the same `doc-unavailable`.
 */
export class PeerSession implements ChannelOwner {
  private joinedAs: string | null = null;
  metadata: PeerMetadata = {};
  subscribedToUs = false;
  private readonly channels = new Map<string, DocChannel>();
  // Permissions do not change during a connection: refused ids are answered without a lookup.
  private readonly refused = new Set<string>();
  private inboxBytes = 0;
  private paused = false;
  private readonly draining = new Set<DocChannel>();
  private drainTimer: NodeJS.Timeout | undefined;
  private ended = false;

  constructor(
    readonly ctx: SyncContext,
    readonly access: PeerAccess,
    private readonly transport: PeerTransport,
    /** Called with the peer id once joined (the server closes an older connection of the same peer). */
    private readonly onJoin: (peerId: string) => void = () => {},
  ) {}

  get peerId(): string {
    return this.joinedAs ?? "";
  }

  get documents(): number {
    return this.channels.size;
  }

  get bufferedBytes(): number {
    return this.transport.bufferedBytes;
  }

  /** One binary frame from the peer. */
  receive(frame: Uint8Array): void {
    if (this.ended) return;
    let message: PeerMessage;
    try {
      message = decodePeerMessage(frame);
    } catch (err) {
      return this.fail(err);
    }
    this.dispatch(message, frame.byteLength);
  }

  send(message: ServerMessage): void {
    if (this.ended) return;
    this.transport.send(message);
    if (this.transport.bufferedBytes > this.ctx.limits.sendLimitBytes) {
      this.fail(new SlowPeer(this.ctx.limits.sendLimitBytes));
    }
  }

  consumed(bytes: number): void {
    this.inboxBytes -= bytes;
    if (this.paused && this.inboxBytes <= this.ctx.limits.maxInboxBytes / 2) {
      this.paused = false;
      this.transport.resumeReading();
    }
  }

  channelClosed(channel: DocChannel): void {
    if (this.channels.get(channel.documentId) === channel) this.channels.delete(channel.documentId);
    this.draining.delete(channel);
  }

  waitForDrain(channel: DocChannel): void {
    this.draining.add(channel);
    this.drainTimer ??= setInterval(() => {
      if (this.transport.bufferedBytes > this.ctx.limits.syncHighWaterBytes / 2) return;
      clearInterval(this.drainTimer);
      this.drainTimer = undefined;
      const waiting = [...this.draining];
      this.draining.clear();
      for (const c of waiting) c.changed();
    }, this.ctx.limits.drainPollMs);
    this.drainTimer.unref?.();
  }

  /** Tells the peer what went wrong (automerge-repo's `error` message) and closes. */
  fail(err: unknown): void {
    if (this.ended) return;
    const known = err instanceof StrataError;
    if (!known) this.ctx.log.warn({ err, peerId: this.joinedAs }, "document sync session failed");
    const message = known ? err.message : "Internal error; reconnect to resume syncing.";
    this.transport.send({
      type: "error",
      senderId: this.ctx.server.peerId,
      targetId: this.peerId,
      message,
    });
    const code =
      err instanceof MalformedRepoMessage ||
      err instanceof InvalidChange ||
      err instanceof UnsupportedProtocol
        ? CLOSE.protocolError
        : err instanceof SlowPeer || err instanceof Unauthenticated || err instanceof Forbidden
          ? CLOSE.policy
          : known && err.retryable
            ? CLOSE.tryAgain
            : CLOSE.internal;
    this.transport.close(code, message.slice(0, 120));
    void this.end();
  }

  /** The connection is gone: detach from every document, saving sync states. */
  async end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.drainTimer);
    await Promise.all([...this.channels.values()].map((c) => c.close()));
  }

  private dispatch(m: PeerMessage, bytes: number): void {
    if (m.type === "join") return this.join(m);
    if (this.joinedAs === null) {
      return this.fail(new MalformedRepoMessage("The first message must be 'join'."));
    }
    // As automerge-repo's server does: a connection speaks for the peer that joined on it.
    if (m.senderId !== this.joinedAs) return;
    switch (m.type) {
      case "sync":
      case "request":
        return this.route(m, bytes);
      case "ephemeral": {
        const channel = this.channels.get(m.documentId);
        if (!channel) return;
        this.inboxBytes += bytes;
        return channel.enqueue(m, bytes);
      }
      case "remote-subscription-change": {
        const ours = this.ctx.server.storageId;
        if (m.remove?.includes(ours)) this.subscribedToUs = false;
        if (m.add?.includes(ours)) {
          this.subscribedToUs = true;
          for (const c of this.channels.values()) c.subscribed();
        }
        return;
      }
      // Strata does not ask peers for documents, nor relay other storages' heads.
      case "doc-unavailable":
      case "remote-heads-changed":
        return;
    }
  }

  private join(m: Extract<PeerMessage, { type: "join" }>): void {
    if (this.joinedAs !== null && m.senderId !== this.joinedAs) {
      return this.fail(
        new MalformedRepoMessage("A connection carries one peer; reconnect to join as another."),
      );
    }
    const versions = m.supportedProtocolVersions;
    if (versions && !versions.includes(REPO_PROTOCOL_VERSION)) {
      // The stock server's answer, word for word.
      return this.fail(new UnsupportedProtocol());
    }
    if (this.joinedAs === null) {
      this.joinedAs = m.senderId;
      this.metadata = {
        storageId: m.peerMetadata?.storageId,
        isEphemeral: m.peerMetadata?.isEphemeral,
      };
      this.onJoin(m.senderId);
    }
    this.send({
      type: "peer",
      senderId: this.ctx.server.peerId,
      targetId: m.senderId,
      peerMetadata: { storageId: this.ctx.server.storageId, isEphemeral: false },
      selectedProtocolVersion: REPO_PROTOCOL_VERSION,
    });
  }

  private route(m: Extract<PeerMessage, { type: "sync" | "request" }>, bytes: number): void {
    const documentId = tryParseDocumentId(m.documentId);
    let channel = documentId === m.documentId ? this.channels.get(documentId) : undefined;
    if (!channel) {
      if (!this.admits(documentId, m.documentId)) return this.unavailable(m.documentId);
      channel = new DocChannel(this, documentId!);
      this.channels.set(documentId!, channel);
    }
    this.inboxBytes += bytes;
    if (!this.paused && this.inboxBytes > this.ctx.limits.maxInboxBytes) {
      this.paused = true;
      this.transport.pauseReading();
    }
    channel.enqueue(m, bytes);
  }

  private admits(documentId: DocumentId | null, raw: string): boolean {
    if (documentId === null || documentId !== raw || this.refused.has(documentId)) return false;
    if (!this.access.canRead(documentId)) {
      if (this.refused.size < MAX_REFUSED) this.refused.add(documentId);
      return false;
    }
    if (this.channels.size >= this.ctx.limits.maxDocsPerPeer) {
      this.ctx.log.warn(
        { peerId: this.joinedAs },
        "document sync: too many documents on one connection",
      );
      return false;
    }
    return true;
  }

  private unavailable(documentId: string): void {
    this.send({
      type: "doc-unavailable",
      senderId: this.ctx.server.peerId,
      targetId: this.peerId,
      documentId,
    });
  }
}

/** The peer offered no protocol version Strata speaks. */
export class UnsupportedProtocol extends StrataError {
  readonly code = "unsupported_protocol_version";
  readonly status = 400;
  constructor() {
    super("unsupported protocol version");
  }
}

/** The peer does not read what Strata sends: its unsent bytes passed the limit. */
export class SlowPeer extends StrataError {
  readonly code = "slow_consumer";
  readonly status = 429;
  constructor(limit: number) {
    super(`The peer is not reading: more than ${limit} bytes wait to be sent.`);
  }
}
