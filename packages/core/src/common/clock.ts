/**
 * The wall clock, as a port so tests can move time. Expiry that decides
 * ownership uses the database clock instead (DESIGN §7); this one serves
 * caches and timestamps shown to people.
 */
export interface Clock {
  now(): Date;
  /** `now().getTime()` without the Date (the hot paths read the clock several times a message). */
  nowMs?(): number;
}

/**
 * The time, read once per turn of the event loop. Reading the clock costs
 * ~150 ns on this kind of VM (kvm-clock), and the hot paths ask several times
 * per message; within one turn they all see the time the turn began.
 */
export function turnTime(): number {
  if (!turnFresh) {
    turnNow = Date.now();
    turnFresh = true;
    setImmediate(staleTurn);
  }
  return turnNow;
}

let turnNow = 0;
let turnFresh = false;
const staleTurn = () => {
  turnFresh = false;
};

export const systemClock: Clock = { now: () => new Date(), nowMs: turnTime };

/** Milliseconds since the epoch by `clock`. */
export function epochMs(clock: Clock): number {
  return clock.nowMs ? clock.nowMs() : clock.now().getTime();
}
