import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The test data kept in the repo (`test-data/` at the root, with its licences), resolved from this file. */
export const dataDir = fileURLToPath(new URL('../../../../test-data/', import.meta.url));

/** The X4BNet lists, in a fixed order. */
export const X4B_LISTS = ['datacenter-ipv4', 'vpn-ipv4', 'datacenter-ipv6', 'vpn-ipv6'] as const;

export function readX4b(list: (typeof X4B_LISTS)[number]): string {
  return readFileSync(`${dataDir}ip-lists/x4bnet/${list}.txt`, 'utf8');
}

/** Deterministic PRNG (mulberry32), so a failing random case can be replayed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random bigint below 2^bits. */
export function randomBits(rand: () => number, bits: number): bigint {
  let v = 0n;
  for (let i = 0; i < bits; i += 16) v = (v << 16n) | BigInt(Math.floor(rand() * 65536));
  return v >> BigInt(Math.ceil(bits / 16) * 16 - bits);
}

/** Uncompressed text of an address held as a bigint. */
export function ipText(value: bigint, version: 4 | 6): string {
  if (version === 4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 255n)).join('.');
  return Array.from({ length: 8 }, (_, i) => ((value >> BigInt(112 - 16 * i)) & 0xffffn).toString(16)).join(':');
}

/** Parses `a.b.c.d/n` or `v6/n` into [start, end] bigints, independently of the code under test. */
export function naiveRange(cidr: string): { version: 4 | 6; start: bigint; end: bigint; prefix: number } {
  const [addr, len] = cidr.split('/') as [string, string | undefined];
  const version = addr.includes(':') ? 6 : 4;
  const bits = version === 4 ? 32 : 128;
  let value = 0n;
  if (version === 4) {
    for (const part of addr.split('.')) value = (value << 8n) | BigInt(Number(part));
  } else {
    const [left, right] = addr.includes('::') ? addr.split('::') as [string, string] : [addr, undefined];
    const l = left ? left.split(':') : [];
    const r = right === undefined ? [] : right ? right.split(':') : [];
    const groups = right === undefined ? l : [...l, ...Array(8 - l.length - r.length).fill('0'), ...r];
    for (const g of groups) value = (value << 16n) | BigInt(parseInt(g, 16));
  }
  const prefix = len === undefined ? bits : Number(len);
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  return { version, start: value & ~hostMask, end: value | hostMask, prefix };
}
