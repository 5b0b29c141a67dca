import { createHash } from 'node:crypto';

/** The first link of every chain (each shard of each tenant). */
export const GENESIS_HASH = '0'.repeat(64);

/** JSON with sorted keys, so the same event always hashes the same on every instance and database. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** The stored event as a link commits to it: everything but the link itself. */
export interface ChainedEvent {
  id: string; seq: number; tenantId: string; type: string; occurredAt: string;
  actor: { kind: string; id: string | null }; target: { kind: string; id: string | null };
  outcome: string; data: Record<string, unknown>; context: Record<string, unknown>; prevHash: string;
}

/** The fields a link commits to, under their wire names (changing this breaks every stored chain). */
export function hashedFields(e: ChainedEvent): Record<string, unknown> {
  return {
    id: e.id, seq: e.seq, tenant_id: e.tenantId, type: e.type, occurred_at: e.occurredAt, actor: e.actor,
    target: e.target, outcome: e.outcome, data: e.data, context: e.context, prev_hash: e.prevHash,
  };
}

/** What a link authenticates: the previous link and the event. */
export function linkMessage(e: ChainedEvent): string {
  return linkTemplate(e)(e.seq, e.prevHash);
}

/**
 * `linkMessage` in two steps: everything but the position (seq, previous link) serialised first,
 * outside the chain head's lock, so that the lock (which serialises a tenant's appends) covers only
 * splicing in the two fields and the MAC. Same bytes as serialising the whole event at once.
 */
export function linkTemplate(e: Omit<ChainedEvent, 'seq' | 'prevHash'>): (seq: number, prevHash: string) => string {
  const fields = Object.entries(hashedFields({ ...e, seq: 0, prevHash: '' }))
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  // The two position fields stay bare names; every serialised field starts with a quote.
  const parts = fields.map(([k, v]) => (k === 'seq' || k === 'prev_hash' ? k : `${JSON.stringify(k)}:${canonicalJson(v)}`));
  return (seq, prevHash) => {
    const body = parts.map((p) => (p === 'seq' ? `"seq":${JSON.stringify(seq)}` : p === 'prev_hash' ? `"prev_hash":${JSON.stringify(prevHash)}` : p));
    return `${prevHash}\n{${body.join(',')}}`;
  };
}

/**
 * The link of entries written before migration 0004 (plain SHA-256): anyone who can write the
 * database can recompute these, so they are trusted only up to the sealed cut-over point.
 */
export function plainLink(e: ChainedEvent): string {
  return createHash('sha256').update(linkMessage(e)).digest('hex');
}

/** A keyed MAC under the tenant's chain key (hex HMAC-SHA256); the key never leaves its adapter. */
export type ChainMac = (tenantId: string, message: string) => string;

/** Every link after the cut-over: without the master key nobody can recompute one. */
export function keyedLink(mac: ChainMac, e: ChainedEvent): string {
  return mac(e.tenantId, linkMessage(e));
}

/** The recorded chain head: its last position and link, and the last position linked the plain way. */
export interface ChainHead { seq: number; hash: string; plainUntil: number }

/**
 * The head's MAC binds its position, its link and the cut-over point: a truncated tail, a moved
 * cut-over (to pass recomputed plain hashes off as old ones) or a forged head all fail against it.
 */
export function headMessage(tenantId: string, head: ChainHead, shard = 0): string {
  // Shard 0 keeps the v1 message, so heads sealed before chains were sharded still verify; the others
  // bind their shard, so one shard's head (with its rows) cannot be passed off as another's.
  if (shard === 0) return `portcullis audit head v1\n${tenantId}\n${head.seq}\n${head.hash}\n${head.plainUntil}`;
  return `portcullis audit head v2\n${tenantId}\n${shard}\n${head.seq}\n${head.hash}\n${head.plainUntil}`;
}

/** The link an entry must carry, by which side of the cut-over it sits on. */
export function expectedLink(mac: ChainMac, plainUntil: number, e: ChainedEvent): string {
  return e.seq <= plainUntil ? plainLink(e) : keyedLink(mac, e);
}
