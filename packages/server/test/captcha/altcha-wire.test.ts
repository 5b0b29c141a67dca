import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { createChallenge, solveChallenge, verifySolution, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import { checkAltchaPayload, importAltchaKeys, signAltchaChallenge } from '../../src/adapters/captcha/altcha-wire.js';

const SIG = 'a1'.repeat(32);
const KEY = 'b2'.repeat(32);
const keys = importAltchaKeys(SIG, KEY);
const DATA = { tenant: 'tnt_01', action: 'signup', expires_at: 1_800_000_000 };

/** Hands out the library's own nonce and salt, so both sides sign the same bytes. */
const replay = (c: Challenge) => {
  const queue = [Buffer.from(c.parameters.nonce, 'hex'), Buffer.from(c.parameters.salt, 'hex')];
  return (n: number) => { const b = queue.shift()!; expect(b.length).toBe(n); return b; };
};

const library = (counter: number, data: Record<string, string | number> = DATA) => createChallenge({
  algorithm: 'SHA-256', cost: 1, counter, deriveKey, data, hmacSignatureSecret: SIG, hmacKeySignatureSecret: KEY,
});

describe("altcha wire format on node:crypto, byte for byte altcha-lib 2.8.0's", () => {
  it('signs the same challenge as createChallenge for the same counter, data, nonce, salt and secrets', async () => {
    for (const [counter, data] of [[0, DATA], [1, DATA], [20_000, DATA], [4_294_967_295, DATA], [77, { b: 'x', a: 1, z: 'é ü "q"' }]] as const) {
      const theirs = await library(counter, data);
      const ours = signAltchaChallenge(keys, counter, data, replay(theirs));
      expect(JSON.stringify(ours)).toBe(JSON.stringify(theirs));
    }
  });

  it('refuses a counter the format cannot carry, as the library does', async () => {
    for (const bad of [-1, 1.5, 2 ** 32]) {
      expect(() => signAltchaChallenge(keys, bad, DATA)).toThrow(RangeError);
      await expect(library(bad)).rejects.toThrow();
    }
  });

  it('gives the verdict of verifySolution on solved, forged, tampered and malformed payloads', async () => {
    const challenge = signAltchaChallenge(keys, 300, DATA);
    const solution = (await solveChallenge({ challenge, deriveKey }))!;
    expect(solution.counter).toBe(300);
    const p = challenge.parameters;
    const cases: Array<[string, Challenge, { counter: number; derivedKey: string }]> = [
      ['solved', challenge, solution],
      ['wrong key', challenge, { ...solution, derivedKey: 'ab'.repeat(32) }],
      ['upper-case key', challenge, { ...solution, derivedKey: solution.derivedKey.toUpperCase() }],
      ['odd-length key', challenge, { ...solution, derivedKey: solution.derivedKey.slice(1) }],
      ['negative counter', challenge, { ...solution, counter: -1 }],
      ['fractional counter', challenge, { ...solution, counter: 300.5 }],
      ['counter past uint32', challenge, { ...solution, counter: 2 ** 32 }],
      ['forged signature', { ...challenge, signature: '0'.repeat(64) }, solution],
      ['short signature', { ...challenge, signature: challenge.signature!.slice(2) }, solution],
      ['no signature', { parameters: p }, solution],
      ['tampered action', { ...challenge, parameters: { ...p, data: { ...DATA, action: 'login' } } }, solution],
      ['reordered parameters', { ...challenge, parameters: Object.fromEntries(Object.entries(p).reverse()) as Challenge['parameters'] }, solution],
      ['key signature removed', { ...challenge, parameters: { ...p, keySignature: undefined } as Challenge['parameters'] }, solution],
      ['own __proto__ key added', { ...challenge, parameters: JSON.parse(JSON.stringify(p).replace('{', '{"__proto__":{"keySignature":"x"},')) }, solution],
      ['signed under other secrets', signAltchaChallenge(importAltchaKeys(KEY, SIG), 300, DATA), solution],
    ];
    const verdicts = [];
    for (const [name, c, s] of cases) {
      // Through JSON, as a payload arrives.
      const wire = JSON.parse(JSON.stringify({ challenge: c, solution: s }));
      const theirs = await verifySolution({ challenge: wire.challenge, solution: wire.solution, deriveKey, hmacSignatureSecret: SIG, hmacKeySignatureSecret: KEY });
      const ours = checkAltchaPayload(keys, wire);
      expect({ name, ...ours }).toEqual({ name, invalidSignature: theirs.invalidSignature === true, verified: theirs.verified });
      verdicts.push(ours.verified);
    }
    // The table is not vacuous: exactly the solved and the reordered (same canonical bytes) cases pass.
    expect(verdicts).toEqual(cases.map(([name]) => name === 'solved' || name === 'reordered parameters'));
  });

  it('draws a fresh nonce and salt for every challenge', () => {
    const seen = new Set(Array.from({ length: 50 }, () => signAltchaChallenge(keys, 5, DATA).parameters.nonce));
    expect(seen.size).toBe(50);
    // The answer is the one counter whose SHA-256(salt ‖ nonce ‖ counter) starts with the prefix.
    const c = signAltchaChallenge(keys, 5, DATA);
    const hash = createHash('sha256').update(Buffer.from(c.parameters.salt + c.parameters.nonce + '00000005', 'hex')).digest('hex');
    expect(hash.startsWith(c.parameters.keyPrefix)).toBe(true);
  });
});
