import { describe, expect, it } from 'vitest';
import { createMemoryCounters } from '../../src/adapters/memory/memory-counters.js';
import type { Clock } from '../../src/ports/clock.js';
import { describeCountersContract } from './counters-contract.js';

/** A clock that moves only when told to. */
function frozenClock(start = 1_700_000_000_000): Clock & { advance(ms: number): void } {
  let now = start;
  return { now: () => now, advance: (ms) => void (now += ms) };
}

describeCountersContract('memory', () => {
  const clock = frozenClock();
  const counters = createMemoryCounters({ clock });
  return { counters, advance: async (ms) => clock.advance(ms), dispose: () => counters.close() };
});

describe('memory counters: bounded under a flood of distinct keys', () => {
  it('holds at most maxKeys after 1,000,000 distinct keys', async () => {
    const counters = createMemoryCounters({ clock: frozenClock(), maxKeys: 100_000 });
    let peak = 0;
    for (let i = 0; i < 1_000_000; i += 1_000) {
      const batch = Array.from({ length: 1_000 }, (_, j) => ({ key: `spoofed:${i + j}`, windowMs: 900_000 }));
      await counters.hit(batch);
      peak = Math.max(peak, counters.size);
    }
    expect(peak).toBeLessThanOrEqual(100_000);
    expect(counters.size).toBeGreaterThan(0);
  });

  it('drops expired keys before live ones', async () => {
    const clock = frozenClock();
    const counters = createMemoryCounters({ clock, maxKeys: 10 });
    await counters.hit([{ key: 'live', windowMs: 10_000 }]);
    await counters.hit(Array.from({ length: 9 }, (_, i) => ({ key: `old${i}`, windowMs: 100 })));
    clock.advance(200);
    await counters.hit([{ key: 'new', windowMs: 10_000 }]);
    expect(await counters.peek(['live', 'new'])).toEqual([1, 1]);
    expect(counters.size).toBe(2);
  });

  it('keeps a hot key (many failures) while a flood of count-1 keys churns', async () => {
    const counters = createMemoryCounters({ clock: frozenClock(), maxKeys: 1_000 });
    for (let i = 0; i < 50; i += 1) await counters.hit([{ key: 'victim', windowMs: 900_000 }]);
    for (let i = 0; i < 100_000; i += 1) await counters.hit([{ key: `flood${i}`, windowMs: 900_000 }]);
    expect(await counters.peek(['victim'])).toEqual([50]);
    expect(counters.size).toBeLessThanOrEqual(1_000);
  });

  it('evicts once guards only after plain count-1 keys', async () => {
    const counters = createMemoryCounters({ clock: frozenClock(), maxKeys: 100 });
    expect(await counters.once('captcha-token', 900_000)).toBe(true);
    for (let i = 0; i < 10_000; i += 1) await counters.hit([{ key: `flood${i}`, windowMs: 900_000 }]);
    expect(await counters.once('captcha-token', 900_000)).toBe(false);
  });

  it('still evicts least recently hit keys when every key is hot', async () => {
    const counters = createMemoryCounters({ clock: frozenClock(), maxKeys: 10 });
    for (let i = 0; i < 30; i += 1) {
      await counters.hit([{ key: `k${i}`, windowMs: 900_000 }, { key: `k${i}`, windowMs: 900_000 }]);
    }
    expect(counters.size).toBeLessThanOrEqual(10);
    expect(await counters.peek(['k29', 'k0'])).toEqual([2, 0]);
  });

  it('refuses a maxKeys that is not a positive integer', () => {
    expect(() => createMemoryCounters({ clock: frozenClock(), maxKeys: 0 })).toThrow(RangeError);
  });
});
