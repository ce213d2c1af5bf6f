import type { Clock } from '@quanta/model';

/** A clock the tests move by hand, from now: expiry of tokens, sessions and grants without waiting. */
export interface ManualClock extends Clock {
  advanceHours(hours: number): void;
  advanceDays(days: number): void;
}

/** A manual clock starting at the real time. */
export function manualClock(): ManualClock {
  let now = Date.now();
  return {
    now: () => new Date(now),
    advanceHours: (hours) => {
      now += hours * 3_600_000;
    },
    advanceDays: (days) => {
      now += days * 86_400_000;
    },
  };
}
