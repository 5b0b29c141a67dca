import { expect } from 'vitest';
import { solveChallenge, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import type { Harness } from './harness.js';

/**
 * What the widget does: fetch a challenge from `url` (a `challenge_url` of `captcha_required`),
 * find the counter, and send base64 JSON of the challenge and the solution.
 */
export async function solveAltcha(h: Pick<Harness, 'app'>, url: string): Promise<string> {
  const res = await h.app.inject({ method: 'GET', url });
  expect(res.statusCode).toBe(200);
  const challenge = res.json<Challenge>();
  const solution = await solveChallenge({ challenge, deriveKey });
  return Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');
}
