import { describe, expect, it } from 'vitest';
import { hashTag, tagged } from '../../src/adapters/redis/redis-cluster.js';

describe('Redis Cluster key tags', () => {
  it('makes the tenant segment the hash tag, so one decision shares a slot', () => {
    expect(tagged('f:tnt_01:lai:900:abc|198.51.100.7')).toBe('f:{tnt_01}:lai:900:abc|198.51.100.7');
    expect(tagged('k:tnt_01:ka:abc')).toBe('k:{tnt_01}:ka:abc');
    expect(hashTag(`portcullis:counters:${tagged('f:tnt_01:ipf:60:x')}`)).toBe('tnt_01');
    expect(hashTag(`portcullis:counters:${tagged('cc:tnt_01:client:app_1')}`)).toBe('tnt_01');
  });

  it('leaves keys without a tenant segment (or with braces before it) as they are', () => {
    for (const key of ['burst', 'a:b', 'x::y', 'a{b}:c:d']) expect(tagged(key)).toBe(key);
  });

  it('reads the tag as Redis does: the first non-empty {…}, else the whole key', () => {
    expect(hashTag('p:{t1}:x:{t2}')).toBe('t1');
    expect(hashTag('p:{}:x')).toBe('p:{}:x');
    expect(hashTag('p:{open')).toBe('p:{open');
    expect(hashTag('plain')).toBe('plain');
  });
});
