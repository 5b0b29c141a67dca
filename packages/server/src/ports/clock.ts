/** Time as a port, so tests can freeze it and the domain never reads the wall clock. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
