/**
 * Bounds of one node's WebSocket endpoint. Every buffer a client can make
 * the server hold is limited by one of these, so memory stays bounded
 * however many clients are slow or misbehave (docs/protocol.md, "Limits").
 */
export interface WsLimits {
  /** Largest frame a client may send; larger ones close the connection with 1009. */
  readonly maxFrameBytes: number;
  readonly maxSubscriptions: number;
  /** Appends accepted but not yet answered, per connection. */
  readonly maxInFlightAppends: number;
  /** Value bytes of those appends. */
  readonly maxInFlightBytes: number;
  /** `kv.put` / `kv.delete` / `kv.get` sent but not yet answered, per connection. */
  readonly maxInFlightKv: number;
  /** Other requests awaiting the database (consumer acks), per connection. */
  readonly maxPendingRequests: number;
  /** Bytes of `append_chunk` values held for reassembly, per connection. */
  readonly maxChunkedBytes: number;
  /** Chunked appends in progress at once, per connection. */
  readonly maxChunkedAppends: number;
  /** Pipelined appends to one stream are sent to the owner together, up to this many messages… */
  readonly coalesceMessages: number;
  /** …and this many value bytes. */
  readonly coalesceBytes: number;
  /** A connection's subscriptions pause when its socket has this much unsent. */
  readonly highWaterBytes: number;
  /** Unsent bytes across all connections past which every connection pauses at `pressureHighWaterBytes`. */
  readonly globalHighWaterBytes: number;
  readonly pressureHighWaterBytes: number;
  /** Paused subscriptions resume when the socket is down to this. */
  readonly resumeBytes: number;
  /** Past this much unsent, the server stops reading the client's frames (it is not reading ours). */
  readonly sendLimitBytes: number;
  /** Subscriptions reading their backlog from storage at once, node-wide. */
  readonly maxCatchingUp: number;
  readonly pingIntervalMs: number;
  /** How long reading pauses on a connection whose tenant went over its rate (ReadThrottle). */
  readonly rateLimitPauseMs: { readonly min: number; readonly max: number };
  /** How often slow sockets are checked for having drained. */
  readonly drainPollMs: number;
  /** Grace for close handshakes at shutdown before sockets are cut. */
  readonly closeGraceMs: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_WS_LIMITS: WsLimits = {
  maxFrameBytes: MiB,
  maxSubscriptions: 1000,
  maxInFlightAppends: 10_000,
  maxInFlightBytes: 64 * MiB,
  maxInFlightKv: 10_000,
  maxPendingRequests: 1000,
  maxChunkedBytes: 64 * MiB,
  maxChunkedAppends: 16,
  coalesceMessages: 1000,
  coalesceBytes: 4 * MiB,
  highWaterBytes: 4 * MiB,
  globalHighWaterBytes: 64 * MiB,
  pressureHighWaterBytes: 128 * 1024,
  resumeBytes: 32 * 1024,
  sendLimitBytes: 16 * MiB,
  maxCatchingUp: 16,
  pingIntervalMs: 30_000,
  drainPollMs: 25,
  rateLimitPauseMs: { min: 500, max: 1000 },
  closeGraceMs: 1000,
};

export const WS_LIMITS = Symbol("WsLimits");
