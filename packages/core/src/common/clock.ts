/**
 * The wall clock, as a port so tests can move time. Expiry that decides
 * ownership uses the database clock instead (DESIGN §7); this one serves
 * caches and timestamps shown to people.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
