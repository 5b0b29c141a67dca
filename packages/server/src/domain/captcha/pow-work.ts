/** Points of risk score that double a proof-of-work challenge's work. */
export const POW_DOUBLING_POINTS = 25;
/** The ceiling whatever the score: 16 × the base (a score of 100), so no challenge hangs a phone for minutes. */
export const POW_MAX_FACTOR = 16;

/**
 * The largest secret number of a challenge for a risk score (DESIGN §16): the tenant's base at
 * score 0, doubling every 25 points, so a datacenter address (40 points) pays about 3× what a
 * person on a clean address pays, and a listed botnet (60+) about 5× or more. Pure.
 */
export function powMaxNumber(baseDifficulty: number, score: number): number {
  const s = Math.min(100, Math.max(0, Number.isFinite(score) ? score : 0));
  return Math.round(baseDifficulty * Math.min(POW_MAX_FACTOR, 2 ** (s / POW_DOUBLING_POINTS)));
}
