import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { solveChallenge, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import { createSignupHarness, type SignupHarness } from '../signup/support.js';

const DOORS = [
  { action: 'login', url: '/api/v1/auth/login', body: { email: 'rita@example.com', password: 'the old passphrase' }, ok: 200 },
  { action: 'signup', url: '/api/v1/auth/signup', body: { password: 'lantern orchard seventeen' }, ok: 202 },
  { action: 'password_reset', url: '/api/v1/auth/password-reset', body: { email: 'rita@example.com' }, ok: 202 },
] as const;
type Action = (typeof DOORS)[number]['action'];

/**
 * Every door binds its proof of work to its own captcha action (DESIGN §19): a challenge fetched
 * for sign-in cannot pay for a sign-up or a reset flood, and the other way round.
 */
describe('provider altcha at each door', () => {
  let h: SignupHarness;
  beforeAll(async () => {
    h = await createSignupHarness();
    await h.createUser('rita@example.com', 'the old passphrase');
    await h.setPolicy({ captcha: { provider: 'altcha', pow: { difficulty: 1000 } } });
  });
  afterAll(async () => { await h.close(); });

  const urlFor = (action: Action) => `/tenants/acme/captcha/altcha/challenge${action === 'login' ? '' : `?action=${action}`}`;
  async function solve(action: Action): Promise<string> {
    const res = await h.app.inject({ method: 'GET', url: urlFor(action) });
    expect(res.statusCode).toBe(200);
    const challenge = res.json<Challenge>();
    expect(challenge.parameters.data).toMatchObject({ action });
    const solution = await solveChallenge({ challenge, deriveKey });
    return Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');
  }
  // No device data: a bot-like request, challenged at every door (the token decides).
  const knock = (door: (typeof DOORS)[number], token?: string) => h.post(door.url, {
    ...door.body, ...(door.action === 'signup' ? { email: `p${Math.random().toString(36).slice(2)}@example.com` } : {}),
    device: undefined, ...(token === undefined ? {} : { captcha: { provider: 'altcha', token } }),
  }, '198.51.100.77');

  for (const door of DOORS) {
    it(`${door.action}: names a challenge URL bound to ${door.action}, passes its solution once, refuses the other doors' solutions`, async () => {
      const asked = await knock(door);
      expect(asked.statusCode).toBe(403);
      expect(asked.json()).toMatchObject({ error: 'captcha_required', details: { provider: 'altcha', site_key: null, action: door.action, challenge_url: urlFor(door.action) } });

      for (const other of DOORS.filter((d) => d.action !== door.action)) {
        const res = await knock(door, await solve(other.action));
        expect(res.statusCode).toBe(403);
        expect(res.json()).toMatchObject({ error: 'captcha_invalid', details: { provider: 'altcha', action: door.action, reason: 'action_mismatch' } });
      }
      const token = await solve(door.action);
      expect((await knock(door, token)).statusCode).toBe(door.ok);
      const replayed = await knock(door, token);
      expect(replayed.json()).toMatchObject({ error: 'captcha_invalid', details: { action: door.action, reason: 'already_used' } });
    });
  }

  it('refuses an expired solution at a door', async () => {
    const token = await solve('signup');
    h.clock.advance(300_001);
    expect((await knock(DOORS[1], token)).json()).toMatchObject({ error: 'captcha_invalid', details: { reason: 'expired' } });
  });

  it('answers an unknown action with invalid_request, not a challenge', async () => {
    for (const q of ['?action=admin', '?action=', '?action=login&x=1']) {
      const res = await h.app.inject({ method: 'GET', url: `/tenants/acme/captcha/altcha/challenge${q}` });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: 'invalid_request' });
    }
  });
});
