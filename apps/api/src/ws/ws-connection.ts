import { type Logger } from "@nestjs/common";
import {
  type ClientFrame,
  clientFrameSchema,
  fastAppendFrame,
  frameValue,
  type KvEvent,
  type KvService,
  type Message,
  type Principal,
  type ServerFrame,
  StrataError,
  type StreamsService,
  type SubId,
  type TenantQuotaGuard,
  TooManyRequests,
  toFieldIssues,
} from "@strata/core";
import { WebSocket } from "ws";
import { CoalescedAnswers } from "./ws-answers.js";
import { AppendPipeline } from "./ws-appends.js";
import { ChunkAssembler } from "./ws-chunks.js";
import { type WsCodec } from "./ws-codec.js";
import { ConsumerAcks } from "./ws-consumer-acks.js";
import { errorFrame, frameRef, type FrameRef, MalformedFrame } from "./ws-errors.js";
import { type Drainable, type FlowControl } from "./ws-flow.js";
import { KvRequests } from "./ws-kv-requests.js";
import { KvWatches } from "./ws-kv-watch.js";
import { type WsLimits } from "./ws-limits.js";
import { ConnectionSubscriptions } from "./ws-subscriptions.js";
import { ReadThrottle } from "./ws-throttle.js";

export interface ConnectionContext {
  readonly streams: StreamsService;
  readonly kv: KvService;
  readonly limits: WsLimits;
  readonly flow: FlowControl;
  readonly logger: Logger;
  readonly quotas?: TenantQuotaGuard;
}

/**
 * One client connection: decodes and dispatches its frames, answers them,
 * and bounds what it may make the server hold (docs/protocol.md). A bad
 * frame gets an `error` frame and the connection carries on; only what the
 * `ws` library itself rejects (e.g. an oversized frame, 1009) closes it.
 */
export class WsConnection implements Drainable {
  private readonly subs: ConnectionSubscriptions;
  private readonly kvWatches: KvWatches;
  private readonly appends: AppendPipeline;
  private readonly kvRequests: KvRequests;
  private readonly chunks: ChunkAssembler;
  private readonly answers: CoalescedAnswers;
  private readonly consumerAcks: ConsumerAcks;
  private closed = false;
  private revoked = false; // the credential stopped being valid: later frames are ignored
  /** Reading stopped because the client does not read what we send. */
  private readingPaused = false;
  /** Reading stopped because the tenant is over its rate. */
  private readonly throttle: ReadThrottle;
  /** Answered the last heartbeat ping. */
  alive = true;
  observed = 0;

  constructor(
    readonly socket: WebSocket,
    readonly principal: Principal,
    private readonly codec: WsCodec,
    private readonly ctx: ConnectionContext,
  ) {
    const { limits, flow, streams, logger } = ctx;
    const resume = () => {
      if (!this.closed && !this.readingPaused) socket.resume();
    };
    const { rateLimitPauseMs: pause } = limits;
    this.throttle = new ReadThrottle(() => socket.pause(), resume, pause.min, pause.max);
    this.consumerAcks = new ConsumerAcks(streams, principal, limits.maxPendingRequests, {
      send: (frame) => this.send(frame),
      error: (id, err) => this.sendError(err, { id }),
    });
    this.answers = new CoalescedAnswers((frame) => this.send(frame), limits.maxFrameBytes);
    this.appends = new AppendPipeline(streams, principal, limits, {
      ack: (entry) => this.answers.ack(entry),
      error: (id, err) => this.sendError(err, { id }),
    });
    this.kvRequests = new KvRequests(
      ctx.kv,
      principal,
      limits,
      {
        ack: (entry) => this.answers.kvAck(entry),
        entry: (entry) => this.answers.kvEntry(entry),
        error: (id, err) => this.sendError(err, { id }),
        results: (id, results) => this.answers.kvResult(id, results),
      },
      ctx.quotas,
    );
    this.chunks = new ChunkAssembler({
      maxBytes: limits.maxChunkedBytes,
      maxValues: limits.maxChunkedAppends,
    });
    this.subs = new ConnectionSubscriptions({
      principal,
      streams,
      logger,
      catchUps: flow.catchUps,
      maxSubscriptions: limits.maxSubscriptions,
      deliver: (sub, messages) => this.deliver(sub, messages),
      paused: () => flow.watch(this),
      send: (frame) => this.send(frame),
      sendError: (err, ref) => this.sendError(err, ref),
    });
    this.kvWatches = new KvWatches(this.subs, {
      principal,
      kv: ctx.kv,
      deliver: (sub, events) => this.deliverKv(sub, events),
    });
    socket.on("message", (data, isBinary) => this.onFrame(data as Buffer, isBinary));
    socket.on("pong", () => (this.alive = true));
    socket.on("close", () => this.dispose());
    // ws closes the connection itself on protocol errors (1009 for an oversized frame).
    socket.on("error", (err) => logger.debug({ err: err.message }, "websocket error"));
  }

  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  /** Heartbeats cannot see pongs while reading is paused; such a peer is judged by draining. */
  get heartbeatExempt(): boolean {
    return this.readingPaused || this.throttle.active;
  }

  get subscriptionCount(): number {
    return this.subs.count;
  }

  get pausedSubscriptions(): number {
    return this.subs.pausedCount;
  }

  drained(): void {
    if (this.closed) return;
    if (this.readingPaused) {
      this.readingPaused = false;
      if (!this.throttle.active) this.socket.resume();
    }
    this.subs.drained();
  }

  /** The credential stopped being valid (AccessWatch): an `error` frame says why, then close 1008. */
  revoke(err: StrataError): void {
    if (this.closed || this.revoked) return;
    this.revoked = true;
    this.sendError(err, {});
    // A paused socket could not read the client's close frame (frames read now are ignored);
    // a client that never answers the close is cut, as at shutdown.
    if (this.readingPaused || this.throttle.active) {
      this.throttle.clear();
      this.socket.resume();
    }
    this.socket.close(1008, err.code);
    setTimeout(() => this.socket.terminate(), this.ctx.limits.closeGraceMs).unref();
  }

  private onFrame(data: Buffer, isBinary: boolean): void {
    if (this.revoked) return;
    let raw: unknown;
    try {
      raw = this.codec.decode(data, isBinary);
    } catch (err) {
      this.sendError(err, {});
      return;
    }
    // The hot frame is checked by hand (tested equal to its schema); the rest by the zod schema.
    let frame: ClientFrame | undefined = fastAppendFrame(raw);
    if (!frame) {
      const parsed = clientFrameSchema.safeParse(raw);
      if (!parsed.success) {
        this.sendError(new MalformedFrame(toFieldIssues(parsed.error.issues)), frameRef(raw));
        return;
      }
      frame = parsed.data;
    }
    try {
      this.dispatch(frame);
    } catch (err) {
      this.sendError(err, frameRef(frame));
    }
  }

  private dispatch(f: ClientFrame): void {
    switch (f.type) {
      case "append": {
        const value = frameValue(f);
        this.appends.submit(f.stream, {
          id: f.id,
          messages: [{ value, headers: f.headers ?? null, msgId: f.msg_id ?? null }],
          bytes: value.byteLength,
          ack: f.ack,
          expectedLastSeq: f.expected_last_seq,
        });
        return;
      }
      case "append_batch": {
        const messages = f.messages.map((m) => ({
          value: frameValue(m),
          headers: m.headers ?? null,
          msgId: m.msg_id ?? null,
        }));
        const bytes = messages.reduce((n, m) => n + m.value.byteLength, 0);
        const options = { ack: f.ack, expectedLastSeq: f.expected_last_seq };
        this.appends.submit(f.stream, { id: f.id, messages, bytes, ...options });
        return;
      }
      case "append_chunk": {
        const whole = this.chunks.add(f);
        if (whole) this.appends.submit(whole.stream, whole.unit);
        return;
      }
      case "subscribe":
        return this.subs.subscribe(f);
      case "unsubscribe":
        return this.subs.unsubscribe(f);
      case "consumer_ack":
        return this.consumerAcks.ack(f);
      case "ping":
        return this.send({ type: "pong", id: f.id });
      case "kv.watch":
        return this.kvWatches.watch(f);
      case "kv.put":
      case "kv.delete":
      case "kv.get":
      case "kv.put_batch":
      case "kv.get_batch":
        return this.kvRequests.submit(f);
    }
  }

  private deliver(sub: SubId, messages: readonly Message[]): boolean {
    if (this.closed) return true;
    for (const frame of this.codec.encodeDelivery(sub, messages)) this.sendRaw(frame);
    return !this.ctx.flow.full(this.ctx.flow.observe(this));
  }

  private deliverKv(sub: SubId, events: readonly KvEvent[]): boolean {
    if (this.closed) return true;
    for (const frame of this.codec.encodeKvEvents(sub, events)) this.sendRaw(frame);
    return !this.ctx.flow.full(this.ctx.flow.observe(this));
  }

  private sendError(err: unknown, ref: FrameRef): void {
    if (!(err instanceof StrataError)) {
      this.ctx.logger.error({ err, tenant: this.principal.tenant.id }, "websocket request failed");
    }
    if (err instanceof TooManyRequests) this.throttle.hold(err.retryAfterMs);
    // Answers already due go first, so the client sees them in the order they happened.
    this.answers.flush();
    this.send(errorFrame(err, ref));
  }

  private send(frame: ServerFrame): void {
    this.sendRaw(this.codec.encode(frame));
  }

  private sendRaw(data: Buffer): void {
    if (this.closed || this.socket.readyState !== WebSocket.OPEN) return;
    this.socket.send(data, { binary: this.codec.binary });
    const buffered = this.ctx.flow.observe(this);
    if (!this.readingPaused && buffered > this.ctx.limits.sendLimitBytes) {
      // The client sends but does not read: stop reading its frames until it catches up.
      this.readingPaused = true;
      this.socket.pause();
      this.ctx.flow.watch(this);
    }
  }

  private dispose(): void {
    if (this.closed) return;
    this.closed = true;
    this.throttle.clear();
    this.answers.clear();
    this.subs.closeAll();
    this.appends.close();
    this.kvRequests.close();
    this.chunks.clear();
    this.ctx.flow.forget(this);
  }
}
