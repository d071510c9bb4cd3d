import { type Fenced } from "@strata/core";

/** Lets the stream owner (built first) tell cluster membership (built later) that a write was fenced. */
export interface FenceEvents {
  onFenced: (err: Fenced) => void;
}

export const FENCE_EVENTS = Symbol("FenceEvents");
