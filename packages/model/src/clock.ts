/** The wall clock, passed in so that anything scheduled can be tested with a fake. */
export interface Clock {
  now(): Date;
}

/** The real clock. */
export const systemClock: Clock = { now: () => new Date() };
