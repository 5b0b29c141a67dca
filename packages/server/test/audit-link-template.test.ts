import { describe, expect, it } from 'vitest';
import { canonicalJson, hashedFields, linkMessage, linkTemplate, type ChainedEvent } from '../src/domain/audit/hash-chain.js';

// The append path serialises an event before it takes the chain head's lock and splices the
// position in after; a single byte of difference would break every chain written since.
const events: ChainedEvent[] = [
  {
    id: 'evt_1', seq: 1, tenantId: 'tnt_a', type: 'user.signed_in', occurredAt: '2026-12-04T14:00:00.000Z', actor: { kind: 'user', id: 'usr_1' },
    target: { kind: 'user', id: null }, outcome: 'success', data: { z: 1, a: [1, { y: null, b: 'x' }], u: undefined }, context: { ip: '203.0.113.7' }, prevHash: '0'.repeat(64),
  },
  {
    id: 'evt_"quoted"', seq: 987_654_321, tenantId: 'tnt_b', type: 'user.signed_in.failed', occurredAt: '2026-12-04T14:00:00.001Z', actor: { kind: 'anonymous', id: null },
    target: { kind: 'user', id: 'seq' }, outcome: 'failure', data: { seq: 5, prev_hash: 'not the link', note: 'ünïcødé \n "seq":1' }, context: {}, prevHash: 'f'.repeat(64),
  },
];

describe('audit link template', () => {
  it('gives the same bytes as serialising the whole event at once', () => {
    for (const e of events) {
      const whole = `${e.prevHash}\n${canonicalJson(hashedFields(e))}`;
      expect(linkTemplate(e)(e.seq, e.prevHash)).toBe(whole);
      expect(linkMessage(e)).toBe(whole);
    }
  });

  it('puts each position into its own message (a template serves one event at any position)', () => {
    const template = linkTemplate(events[0]!);
    const at = (seq: number, prev: string) => `${prev}\n${canonicalJson(hashedFields({ ...events[0]!, seq, prevHash: prev }))}`;
    expect(template(2, 'a'.repeat(64))).toBe(at(2, 'a'.repeat(64)));
    expect(template(3, 'b'.repeat(64))).toBe(at(3, 'b'.repeat(64)));
  });
});
