import { afterEach, describe, expect, it } from 'vitest';
import type { Counters } from '../../src/ports/counters.js';

/** One store under test, plus the means to move its time forward and to clean up after it. */
export interface CountersHarness {
  counters: Counters;
  /** Lets `ms` pass: a frozen clock moved for memory, a real wait for Redis. */
  advance(ms: number): Promise<void>;
  /** Removes what this harness stored and closes it. */
  dispose(): Promise<void>;
}

/** Builds a fresh store; stores built with different namespaces must never see each other's keys. */
export type CountersFactory = (namespace: string) => Promise<CountersHarness> | CountersHarness;

// Short windows so the Redis run can use real time; margins of ≥ 100 ms absorb scheduling jitter.
const WINDOW = 300;

/**
 * The behaviour every `Counters` adapter must show (STYLE rule 7: atomicity lives in the port
 * contract). Run by each adapter's test file with its own factory.
 */
export function describeCountersContract(name: string, factory: CountersFactory): void {
  describe(`Counters contract: ${name}`, () => {
    const open: CountersHarness[] = [];
    let seq = 0;
    async function make(namespace = `ns${(seq += 1)}`): Promise<CountersHarness> {
      const harness = await factory(namespace);
      open.push(harness);
      return harness;
    }
    afterEach(async () => {
      await Promise.all(open.splice(0).map((h) => h.dispose()));
    });

    it('counts each hit on a key', async () => {
      const { counters } = await make();
      expect(await counters.hit([{ key: 'k', windowMs: WINDOW }])).toEqual([1]);
      expect(await counters.hit([{ key: 'k', windowMs: WINDOW }])).toEqual([2]);
      expect(await counters.peek(['k'])).toEqual([2]);
    });

    it('returns every count, in order, for a batch of keys (a key twice counts twice)', async () => {
      const { counters } = await make();
      await counters.hit([{ key: 'b', windowMs: WINDOW }]);
      const counts = await counters.hit([
        { key: 'a', windowMs: WINDOW },
        { key: 'b', windowMs: 10 * WINDOW },
        { key: 'a', windowMs: WINDOW },
      ]);
      expect(counts).toEqual([1, 2, 2]);
      expect(await counters.peek(['b', 'a', 'absent'])).toEqual([2, 2, 0]);
      expect(await counters.hit([])).toEqual([]);
      expect(await counters.peek([])).toEqual([]);
    });

    it('reads absent keys as 0 without creating them', async () => {
      const { counters } = await make();
      expect(await counters.peek(['nobody'])).toEqual([0]);
      expect(await counters.hit([{ key: 'nobody', windowMs: WINDOW }])).toEqual([1]);
    });

    it('forgets a count when its window ends; the window is fixed from the first hit', async () => {
      const { counters, advance } = await make();
      await counters.hit([{ key: 'w', windowMs: WINDOW }]);
      await advance(WINDOW - 100);
      expect(await counters.hit([{ key: 'w', windowMs: WINDOW }])).toEqual([2]);
      await advance(200); // past the first hit's window, within the second hit's
      expect(await counters.peek(['w'])).toEqual([0]);
      expect(await counters.hit([{ key: 'w', windowMs: WINDOW }])).toEqual([1]);
    });

    it('keeps a key with a longer window while a shorter one expires', async () => {
      const { counters, advance } = await make();
      await counters.hit([{ key: 'short', windowMs: WINDOW }, { key: 'long', windowMs: 20 * WINDOW }]);
      await advance(WINDOW + 100);
      expect(await counters.peek(['short', 'long'])).toEqual([0, 1]);
    });

    it('inspects counts with the time left in each window, read together with the count', async () => {
      const { counters, advance } = await make();
      await counters.hit([{ key: 'i', windowMs: 4 * WINDOW }, { key: 'i', windowMs: 4 * WINDOW }, { key: 'j', windowMs: 8 * WINDOW }]);
      await advance(WINDOW);
      const [i, j, absent] = await counters.inspect(['i', 'j', 'absent']);
      expect([i?.count, j?.count, absent]).toEqual([2, 1, { count: 0, ttlMs: 0 }]);
      // The window runs from the first hit; a later hit never extends it.
      expect(i!.ttlMs).toBeGreaterThan(2 * WINDOW - 100);
      expect(i!.ttlMs).toBeLessThanOrEqual(3 * WINDOW);
      expect(j!.ttlMs).toBeGreaterThan(6 * WINDOW - 100);
      expect(j!.ttlMs).toBeLessThanOrEqual(7 * WINDOW);
      expect(await counters.inspect([])).toEqual([]);
      await advance(3 * WINDOW + 100);
      expect(await counters.inspect(['i'])).toEqual([{ count: 0, ttlMs: 0 }]);
      expect(await counters.peek(['i', 'j'])).toEqual([0, 1]);
    });

    it('releases a slot but never goes below zero, and releasing does not restart the window', async () => {
      const { counters, advance } = await make();
      await counters.hit([{ key: 'r', windowMs: WINDOW }]);
      await counters.hit([{ key: 'r', windowMs: WINDOW }]);
      await counters.release('r');
      expect(await counters.peek(['r'])).toEqual([1]);
      await counters.release('r');
      await counters.release('r');
      expect(await counters.peek(['r'])).toEqual([0]);
      await counters.release('absent');
      expect(await counters.peek(['absent'])).toEqual([0]);
      await advance(WINDOW - 100);
      expect(await counters.hit([{ key: 'r', windowMs: WINDOW }])).toEqual([1]);
      await advance(200);
      expect(await counters.peek(['r'])).toEqual([0]);
    });

    it('resets keys so the next hit starts a new count', async () => {
      const { counters } = await make();
      await counters.hit([{ key: 'x', windowMs: WINDOW }, { key: 'y', windowMs: WINDOW }]);
      await counters.reset(['x', 'absent']);
      await counters.reset([]);
      expect(await counters.peek(['x', 'y'])).toEqual([0, 1]);
      expect(await counters.hit([{ key: 'x', windowMs: WINDOW }])).toEqual([1]);
    });

    it('answers once true the first time, false after, and true again after the ttl', async () => {
      const { counters, advance } = await make();
      expect(await counters.once('token', WINDOW)).toBe(true);
      expect(await counters.once('token', WINDOW)).toBe(false);
      expect(await counters.once('other', WINDOW)).toBe(true);
      await advance(WINDOW + 100);
      expect(await counters.once('token', WINDOW)).toBe(true);
    });

    it('rejects windows and ttls that are not positive', async () => {
      const { counters } = await make();
      await expect(counters.hit([{ key: 'z', windowMs: 0 }])).rejects.toThrow(RangeError);
      await expect(counters.once('z', Number.NaN)).rejects.toThrow(RangeError);
      expect(await counters.peek(['z'])).toEqual([0]);
    });

    it('hands out distinct counts 1..200 to 200 parallel hits on one key (atomic)', async () => {
      const { counters } = await make();
      const burst = Array.from({ length: 200 }, () => counters.hit([{ key: 'burst', windowMs: 20 * WINDOW }]));
      const counts = (await Promise.all(burst)).map(([count]) => count ?? 0);
      expect(counts.sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      expect(await counters.peek(['burst'])).toEqual([200]);
    });

    it('lets exactly one of 50 parallel once calls win (atomic)', async () => {
      const { counters } = await make();
      const results = await Promise.all(Array.from({ length: 50 }, () => counters.once('race', 20 * WINDOW)));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('keeps namespaces apart', async () => {
      const a = await make('left');
      const b = await make('right');
      await a.counters.hit([{ key: 'shared', windowMs: WINDOW }, { key: 'shared', windowMs: WINDOW }]);
      expect(await a.counters.once('guard', WINDOW)).toBe(true);
      expect(await b.counters.peek(['shared'])).toEqual([0]);
      expect(await b.counters.hit([{ key: 'shared', windowMs: WINDOW }])).toEqual([1]);
      expect(await b.counters.once('guard', WINDOW)).toBe(true);
    });
  });
}
