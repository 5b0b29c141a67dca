import { describe, expect, it } from 'vitest';
import { solveChallenge, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import { createAltchaPow } from '../../src/adapters/captcha/altcha-pow.js';

const NOW = 1_800_000_000_000;
const pow = createAltchaPow(Buffer.alloc(32, 3));
const ACME = { tenantId: 'tnt_acme', action: 'login' };

async function solved(binding = ACME, expiresAtMs = NOW + 300_000): Promise<{ token: string; doc: { challenge: Challenge; solution: { counter: number; derivedKey: string } } }> {
  const challenge = await pow.issue(binding, { maxNumber: 1000, expiresAtMs }) as unknown as Challenge;
  const solution = (await solveChallenge({ challenge, deriveKey }))!;
  const doc = { challenge, solution: { counter: solution.counter, derivedKey: solution.derivedKey } };
  return { token: encode(doc), doc };
}
const encode = (doc: unknown) => Buffer.from(JSON.stringify(doc)).toString('base64');

/** The port alone (DESIGN §16): signature, binding, deadline, solution; single use is the checker's (see altcha-doors.test.ts). */
describe('createAltchaPow', () => {
  it('accepts a solved payload for its tenant and action until its deadline', async () => {
    const { token, doc } = await solved();
    expect(await pow.verify(token, { ...ACME, nowMs: NOW + 299_999 })).toEqual({ ok: true, counter: doc.solution.counter });
    expect(doc.solution.counter).toBeGreaterThanOrEqual(500);
    expect(doc.solution.counter).toBeLessThanOrEqual(1000);
  });

  it('refuses it as expired from the deadline on', async () => {
    const { token } = await solved();
    expect(await pow.verify(token, { ...ACME, nowMs: NOW + 300_000 })).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses another tenant\'s payload as invalid: its key never signed it', async () => {
    const { token } = await solved({ tenantId: 'tnt_globex', action: 'login' });
    expect(await pow.verify(token, { ...ACME, nowMs: NOW })).toEqual({ ok: false, reason: 'invalid' });
    // Nor does another master key accept ours.
    expect(await createAltchaPow(Buffer.alloc(32, 4)).verify((await solved()).token, { ...ACME, nowMs: NOW })).toEqual({ ok: false, reason: 'invalid' });
  });

  for (const [issued, expected] of [['login', 'signup'], ['login', 'password_reset'], ['signup', 'login'], ['signup', 'password_reset'], ['password_reset', 'login'], ['password_reset', 'signup']]) {
    it(`refuses a payload issued for ${issued} at ${expected} as action_mismatch`, async () => {
      const { token } = await solved({ tenantId: 'tnt_acme', action: issued! });
      expect(await pow.verify(token, { tenantId: 'tnt_acme', action: expected!, nowMs: NOW })).toEqual({ ok: false, reason: 'action_mismatch' });
    });
  }

  it('refuses forgeries as invalid: a re-signed binding, a wrong key, a forged signature, junk', async () => {
    const { doc } = await solved();
    const p = doc.challenge.parameters;
    const forgeries = [
      { ...doc, challenge: { ...doc.challenge, parameters: { ...p, data: { ...p.data, action: 'signup' } } } },
      { ...doc, challenge: { ...doc.challenge, parameters: { ...p, data: { ...p.data, expires_at: 9_999_999_999 } } } },
      { ...doc, challenge: { ...doc.challenge, signature: '0'.repeat(64) } },
      { ...doc, solution: { ...doc.solution, derivedKey: 'ab'.repeat(32) } },
      { ...doc, solution: { counter: doc.solution.counter } },
      { challenge: { parameters: p }, solution: doc.solution },
      { challenge: null, solution: null, test: true },
    ];
    for (const bad of [...forgeries.map(encode), 'not base64!', '', encode([1, 2]), Buffer.from('{"challenge":').toString('base64')]) {
      expect(await pow.verify(bad, { ...ACME, nowMs: NOW })).toEqual({ ok: false, reason: 'invalid' });
    }
  });

  it('refuses an oversized payload before decoding it, even a valid one padded out', async () => {
    const { doc } = await solved();
    const padded = encode({ ...doc, pad: 'x'.repeat(2048) });
    expect(padded.length).toBeGreaterThan(2048);
    expect(await pow.verify(padded, { ...ACME, nowMs: NOW })).toEqual({ ok: false, reason: 'invalid' });
    expect(await pow.verify('A'.repeat(1_000_000), { ...ACME, nowMs: NOW })).toEqual({ ok: false, reason: 'invalid' });
    // The same payload unpadded passes: the size alone refused it.
    expect((await pow.verify(encode({ ...doc, pad: 'x' }), { ...ACME, nowMs: NOW })).ok).toBe(true);
  });
});
