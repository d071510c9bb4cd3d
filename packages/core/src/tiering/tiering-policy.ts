import { type StreamConfig } from "../streams/stream.js";

/** Node-wide tiering settings (configuration); a stream's own settings override the first two. */
export interface TieringDefaults {
  /** Messages older than this move to the object store. */
  readonly tierAfterSeconds: number;
  /** …once at least this many of them are waiting (small tails stay hot). */
  readonly tierMinMessages: number;
  /** Most messages per segment object. */
  readonly segmentMessages: number;
  /** Most value bytes per segment object (values above the large-value threshold live apart). */
  readonly segmentBytes: number;
}

export const DEFAULT_TIERING: TieringDefaults = {
  tierAfterSeconds: 3600,
  tierMinMessages: 1000,
  segmentMessages: 10_000,
  segmentBytes: 8 * 1024 * 1024,
};

export interface StreamTieringPolicy {
  readonly tierAfterSeconds: number;
  readonly minMessages: number;
  readonly segmentMessages: number;
  readonly segmentBytes: number;
}

/**
 * The policy for one stream. Messages inside the dedup window never move:
 * the owner reloads the window's msg ids from the hot tier.
 */
export function streamTieringPolicy(
  config: StreamConfig,
  defaults: TieringDefaults,
): StreamTieringPolicy {
  return {
    tierAfterSeconds: Math.max(
      config.tierAfterSeconds ?? defaults.tierAfterSeconds,
      config.dedupWindowSeconds,
    ),
    minMessages: config.tierMinMessages ?? defaults.tierMinMessages,
    segmentMessages: defaults.segmentMessages,
    segmentBytes: defaults.segmentBytes,
  };
}
